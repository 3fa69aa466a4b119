/** argsFromFlags with an opaque word among a command's arguments (`$EXTRA_ARGS`, `"${ARGS[@]}"` a branch appends to). */
import { argsFromFlags } from '../src/dialects/flat-args';
import { parseSource } from '../src/engine/load-file';

const args = (text: string) => {
  const file = parseSource('train.sh', text, {}, 'shell');
  return argsFromFlags(file, file.script!.commands[0].args);
};

describe('argsFromFlags: opaque words', () => {
  test('an unknown $EXTRA_ARGS may set every key the command does not write', () => {
    const a = args('accelerate launch train.py --learning_rate 1e-4 $EXTRA_ARGS\n');
    expect(a.num('learning_rate')?.value).toBe(1e-4);
    expect(a.setBy('learning_rate')).toBeUndefined();
    expect(a.setBy('lr_warmup_steps')).toBe('$EXTRA_ARGS');
  });

  test('a flag right before an unknown $EXTRA_ARGS: its value is unknown (the words, or more flags after a switch)', () => {
    const a = args('accelerate launch train.py --learning_rate 1e-4 --gradient_checkpointing $EXTRA_ARGS\n');
    expect(a.get('gradient_checkpointing')?.value).toBeUndefined();
    expect(a.get('gradient_checkpointing')?.opaque).toBe('$EXTRA_ARGS follows --gradient_checkpointing: its value, or more flags if --gradient_checkpointing is a switch');
    expect(a.num('learning_rate')?.value).toBe(1e-4);
  });

  test('an array a branch appends to: only the keys the branch may write', () => {
    const a = args('ARGS=(--learning_rate 1e-4 --max_train_steps 100)\n[ -n "$LONG" ] && ARGS+=(--max_train_steps 1000 --lr_warmup_steps 50)\naccelerate launch train.py "${ARGS[@]}"\n');
    expect(a.num('learning_rate')?.value).toBe(1e-4);
    expect(a.num('max_train_steps')).toBeUndefined();
    expect(a.get('max_train_steps')?.opaque).toBe('${ARGS[@]} may set --max_train_steps again (argparse takes the last)');
    expect(a.setBy('lr_warmup_steps')).toBe('${ARGS[@]}');
    expect(a.setBy('seed')).toBeUndefined();
  });
});

/**
 * Calls the runner functions the action uses, through src/action/core.ts (`ours`) or
 * @actions/core (`theirs`), for __tests__/action/core.test.ts to compare what each writes.
 */
import * as theirs from '@actions/core';
import * as ours from '../../src/action/core';

const core = process.argv[2] === 'theirs' ? theirs : ours;
process.stdout.write(`[${core.getInput('fail-on')}] [${core.getInput('api time limit')}] [${core.getInput('absent')}]\n`);
core.info('plain line: 100% done');
core.notice('16 more findings,\nnot shown: 50%', { title: 'trainlint, policy: x' });
core.setOutput('errors', 3);
core.setOutput('report', '/tmp/a b/report.json');
core.setOutput('sarif', '');
core.setOutput('multi', 'line one\nline two');
core.setFailed('trainlint: 2 error(s)\r\nsecond line %0A');

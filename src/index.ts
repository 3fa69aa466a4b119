/** Entry of the GitHub Action (bundled to dist/index.js): only calls run(). */
import { run } from './action/main.js';

void run();

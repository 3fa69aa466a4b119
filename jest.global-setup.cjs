/**
 * Every temporary folder the tests make (git repositories, bundles, fixtures written at run time)
 * goes under one folder of this run: TMPDIR is set before Jest starts its workers, and Node's
 * os.tmpdir() reads it. jest.global-teardown.cjs removes the folder, so a run leaves nothing behind
 * in the system's temporary folder (a full run used to leave ≈ 2,000 folders, ≈ 60 MB).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  // The hostile-input goldens write an absolute path outside the repository into configs, so their
  // columns depend on its length: those tests keep using the system's folder (and remove what they make).
  process.env.TRAINLINT_TEST_SYSTEM_TMPDIR = os.tmpdir();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-tests-'));
  process.env.TRAINLINT_TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
};

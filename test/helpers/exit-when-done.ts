/**
 * Loaded by ava into every test file's worker (ava.config.js `require`): once the file's tests are done, the
 * worker exits, so a handle that some code left open (a timer, a socket, a server) cannot hang the whole run
 * (ava waits for every worker to end). What was still open is printed on stderr, naming the test file, to be
 * fixed where it was opened.
 */
import test, { registerCompletionHandler } from 'ava';

/** Resources every worker has (its stdio, ava's channel): not worth naming. */
const EXPECTED = new Set(['TTYWrap', 'PipeWrap', 'MessagePort', 'FSReqCallback', 'Immediate', 'CloseReq']);

registerCompletionHandler(() => {
  const left = process.getActiveResourcesInfo().filter((r) => !EXPECTED.has(r));
  if (left.length > 0)
    console.error(`# ${test.meta.file}: still open when its tests were done: ${left.join(', ')}`);
  process.exit(0);
});

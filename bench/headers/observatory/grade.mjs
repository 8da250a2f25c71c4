// Runs every MDN HTTP Observatory test against a local server and grades
// the result the way the Observatory's scan() does. scan() itself takes
// only a host name (default ports), so this calls its retriever with
// ports. Usage: node grade.mjs HOST HTTP_PORT HTTPS_PORT
import { retrieve } from "@mdn/mdn-http-observatory/src/retriever/retriever.js";
import { ALL_TESTS } from "@mdn/mdn-http-observatory/src/constants.js";
import { MINIMUM_SCORE_FOR_EXTRA_CREDIT } from "@mdn/mdn-http-observatory/src/grader/charts.js";
import { getGradeForScore, getScoreModifier } from "@mdn/mdn-http-observatory/src/grader/grader.js";

const [host, httpPort, httpsPort] = process.argv.slice(2);
const r = await retrieve(host, { httpPort, httpsPort });
if (!r.responses.auto) {
  console.error("the site did not answer");
  process.exit(2);
}
let withExtra = 100;
let uncurved = 100;
let passed = 0;
for (const test of ALL_TESTS) {
  const out = test(r);
  const mod = out.result ? getScoreModifier(out.result) : 0;
  withExtra += mod;
  if (mod < 0) uncurved += mod;
  if (out.pass) passed++;
  console.log(`${out.pass ? "PASS" : "FAIL"} ${String(mod).padStart(4)}  ${out.constructor.name.replace(/Output$/, "")}: ${out.result}`);
}
const score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtra : uncurved;
console.log(`${passed} passed, ${ALL_TESTS.length - passed} failed; score ${score}, grade ${getGradeForScore(score).grade}`);
console.log(`final URL ${r.session.url.href}, status ${r.responses.auto.status}, certificate verified: ${r.responses.auto.verified}`);
process.exit(passed === ALL_TESTS.length ? 0 : 1);

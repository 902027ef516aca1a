/**
 * Every check the project requires, in order; stops at the first failure.
 * Run it with `deno task test` (the README's test command).
 *
 * @module
 */

const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
const entryPoints = Object.values(config.exports as Record<string, string>);

const steps: [string, string[]][] = [
  ["format", ["fmt", "--check"]],
  ["lint", ["lint"]],
  ["type check", ["check", "."]],
  ["doc lint", ["doc", "--lint", ...entryPoints]],
  ["publish dry run", ["publish", "--dry-run", "--allow-dirty"]],
  // Sanitizers are off by default since Deno 2.8: turn them on.
  ["tests", ["test", "-A", "--doc", "--sanitize-ops", "--sanitize-resources", "--parallel"]],
];

for (const [label, args] of steps) {
  console.log(`\n=== ${label}: deno ${args.join(" ")}`);
  const started = performance.now();
  const { code } = await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "inherit" }).output();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    console.error(`\n${label} failed (exit ${code}) after ${seconds} s`);
    Deno.exit(code);
  }
  console.log(`${label} passed in ${seconds} s`);
}

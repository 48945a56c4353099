import { helpText, parseStartOptions } from './start-options.ts';

/**
 * `npm start`: the options first, and only then the system (scripts/demo-run.ts), so `--help`
 * and a mistyped option answer at once instead of after loading every package.
 */
const options = parseStartOptions(process.argv.slice(2));
if (!options.ok) {
  console.error(`npm start: ${options.error}\n(npm start -- --help lists the options)`);
  process.exit(2);
}
if (options.value.help) {
  console.log(helpText());
  process.exit(0);
}
const { runDemo } = await import('./demo-run.ts');
await runDemo(options.value);

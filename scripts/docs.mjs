// Rewrites the generated signal table in every README that carries the markers
// (SIGNALS_BEGIN … SIGNALS_END), from the signal catalog, and the published JSON Schema of
// eventscope.config.* from the config package's schema. `--check` changes nothing and exits 1
// when a file is stale, naming it. Needs the packages built (`pnpm build`).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function catalog() {
  const entry = join(root, 'packages/catalog/dist/index.js');
  if (!existsSync(entry)) throw new Error('packages/catalog is not built; run `pnpm build` first');
  return import(pathToFileURL(entry).href);
}

/** Every README.md at the root and one level inside packages/ and examples/. */
export function readmePaths() {
  const paths = [join(root, 'README.md')];
  for (const group of ['packages', 'examples']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) paths.push(join(dir, entry.name, 'README.md'));
    }
  }
  return paths.filter((path) => existsSync(path));
}

/**
 * The table a README carries: the whole catalog, unless its package lists a subset itself by
 * exporting `signalTable()` from `dist/readme.js` (the dashboards list only the signals they query).
 */
async function tableFor(readmePath, wholeCatalog) {
  const own = join(dirname(readmePath), 'dist', 'readme.js');
  if (!existsSync(own)) return wholeCatalog;
  const module = await import(pathToFileURL(own).href);
  return typeof module.signalTable === 'function' ? module.signalTable() : wholeCatalog;
}

/** The READMEs with a signal block, each with its current and its regenerated text. */
export async function signalBlocks() {
  const { SIGNALS_BEGIN, renderSignalTable, replaceSignalBlock } = await catalog();
  const wholeCatalog = renderSignalTable();
  const blocks = [];
  for (const path of readmePaths()) {
    const current = readFileSync(path, 'utf8');
    if (!current.includes(SIGNALS_BEGIN)) continue;
    const generated = replaceSignalBlock(current, await tableFor(path, wholeCatalog));
    blocks.push({ path: relative(root, path), absolute: path, current, generated });
  }
  return blocks;
}

/** The config's JSON Schema file, current and regenerated. */
export async function configSchemaFile() {
  const entry = join(root, 'packages/config/dist/index.js');
  if (!existsSync(entry)) throw new Error('packages/config is not built; run `pnpm build` first');
  const { CONFIG_SCHEMA_FILE, configJsonSchema } = await import(pathToFileURL(entry).href);
  const absolute = join(root, 'packages/config', CONFIG_SCHEMA_FILE);
  const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : '';
  return {
    path: relative(root, absolute),
    absolute,
    current,
    generated: `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
  };
}

/** The config README's threshold table, current and regenerated. */
export async function thresholdBlock() {
  const { THRESHOLDS_BEGIN, THRESHOLDS_END, renderThresholdTable } = await import(
    pathToFileURL(join(root, 'packages/config/dist/index.js')).href
  );
  const absolute = join(root, 'packages/config/README.md');
  const current = readFileSync(absolute, 'utf8');
  const start = current.indexOf(THRESHOLDS_BEGIN);
  const end = current.indexOf(THRESHOLDS_END);
  if (start < 0 || end < start)
    throw new Error(`${absolute} has no ${THRESHOLDS_BEGIN} … ${THRESHOLDS_END} block`);
  const generated = `${current.slice(0, start)}${THRESHOLDS_BEGIN}\n${renderThresholdTable()}\n${current.slice(end)}`;
  return { path: relative(root, absolute), absolute, current, generated };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const block of [...(await signalBlocks()), await configSchemaFile(), await thresholdBlock()]) {
    if (block.current === block.generated) continue;
    stale.push(block.path);
    if (!check) writeFileSync(block.absolute, block.generated);
  }
  if (check && stale.length > 0) {
    console.error(`stale generated docs: ${stale.join(', ')} — run \`pnpm docs\``);
    process.exit(1);
  }
  console.log(
    check ? 'generated docs are current' : `rewrote ${stale.length} file(s): ${stale.join(', ') || 'none'}`,
  );
}

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { resolveDbUrl } from '../config/db-url.js';
import { ReferenceError } from '../errors.js';
import { readReferenceInput } from '../reference/reference-input.js';
import type { ReferenceImportResult } from '../reference/reference-store.js';
import { openStore } from '../store/open-store.js';
import { EXIT_SOME_REJECTED } from './ingest-command.js';
import { readStdin } from './stdin.js';

interface ImportFlags {
  db?: string;
  section?: string;
  json?: boolean;
}

/**
 * `srvv reference import <file.json | file.csv | -> [--section S] [--db URL] [--json]`
 *
 * Applies a reference-data document (JSON, every section optional) or, with `--section`, one section as CSV.
 * All or nothing: an invalid file changes nothing, prints every problem with its path (or CSV line) on stderr
 * and exits 3. On success prints what changed and any warnings.
 */
export function registerReferenceCommand(program: Command): void {
  const reference = program.command('reference').description('reference data: parties, devices, links, registrations, certificates');
  reference
    .command('import')
    .description('apply a reference-data JSON document, or one section as CSV with --section')
    .argument('<file>', 'the document (.json), a CSV file with --section, or - for stdin')
    .option('--section <name>', 'the CSV holds this section: parties, devices, links, registrations or certificates')
    .option('--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags: ImportFlags) => {
      if (flags.section === undefined && /\.csv$/i.test(file)) throw new Error(`${file} is CSV: say which section it holds with --section`);
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      const validation = readReferenceInput(text, flags.section);
      if (!validation.ok) return reject(validation.errors, flags.json);
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const result = await store.reference.apply(validation.document);
        process.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatImportResult(result));
      } catch (err) {
        if (err instanceof ReferenceError && err.code === 'REFERENCE_INVALID') return reject(err.problems, flags.json);
        throw err;
      } finally {
        await store.close();
      }
    });
}

function reject(problems: ReadonlyArray<{ path: string; message: string }>, json: boolean | undefined): void {
  if (json) process.stdout.write(JSON.stringify({ error: 'REFERENCE_INVALID', problems }, null, 2) + '\n');
  process.stderr.write(`srvv: invalid reference data, nothing changed (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n`);
  for (const p of problems) process.stderr.write(`  ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
  process.exitCode = EXIT_SOME_REJECTED;
}

/** The human-readable result of an import. */
export function formatImportResult(r: ReferenceImportResult): string {
  const upserts = (c: { created: number; updated: number; unchanged: number }) => `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;
  const histories = (c: { replaced: number; erased: number; unchanged: number }) => `${c.replaced} replaced, ${c.erased} erased, ${c.unchanged} unchanged`;
  const lines = [
    `parties        ${upserts(r.parties)}`,
    `devices        ${upserts(r.devices)}`,
    `links          ${histories(r.links)}`,
    `registrations  ${histories(r.registrations)}`,
    `certificates   ${histories(r.certificates)}`,
    ...r.warnings.map((w) => `warning: ${w.path}: ${w.message}`),
  ];
  return lines.join('\n') + '\n';
}

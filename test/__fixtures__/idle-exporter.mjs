// A host that creates a store exporter, works for a moment (long enough for the writer thread
// to start), then has nothing left to do. No span is exported, so the writer never gets a request.
import { SqliteSpanExporter } from '@runtrace/store';

const exporter = new SqliteSpanExporter({ path: process.env.DB_PATH });
await new Promise((resolve) => setTimeout(resolve, 500));
if (typeof exporter.export !== 'function') process.exitCode = 5;

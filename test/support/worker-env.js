// Jest setup file (runs in every test file's context, before it): points the file at its worker's
// own database and data directory, made by the global setup. Suites of one worker run one after
// another on that database; suites of different workers never share one. In band (one worker) this
// is worker 1. (Without the global setup, e.g. unit specs run with another one, nothing changes.)
const id = process.env.JEST_WORKER_ID ?? '1';
const url = process.env[`MANA_TEST_DB_URL_${id}`];
if (url) process.env.DATABASE_URL = url;
if (process.env.MANA_TEST_DATA_DIR) process.env.DATA_DIR = `${process.env.MANA_TEST_DATA_DIR}/worker-${id}`;

// The real components the browser test drives: Mosquitto + otterd
// (scripts/otter-stack) in a temporary data dir on loopback ports, otter-sim
// boards, and otterd's REST API for setting up what the UI does not create.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function log(message) { process.stderr.write(`dashboard-test: ${message}\n`); }

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(what, predicate, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class Api {
  constructor(port, token) {
    this.base = `http://127.0.0.1:${port}`;
    this.token = token;
  }

  async call(method, urlPath, body) {
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.base + urlPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${urlPath} -> ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  // Registers a thing and writes the PEM files otter-sim reads into dir/<name>.
  async createThing(name, board, credentialsDir, signingProfile) {
    const out = await this.call('POST', '/api/v1/things', { thingName: name, board, signingProfile });
    const d = path.join(credentialsDir, name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'ca.pem'), out.caCertificatePem);
    fs.writeFileSync(path.join(d, 'cert.pem'), out.certificate.certificatePem);
    fs.writeFileSync(path.join(d, 'key.pem'), out.certificate.privateKeyPem, { mode: 0o600 });
    fs.writeFileSync(path.join(d, 'code_verify.pem'), out.codeVerifyCertificatePem);
    return out;
  }
}

export class Stack {
  constructor(repo, buildDir, work) {
    this.repo = repo;
    this.buildDir = buildDir;
    this.script = path.join(repo, 'scripts', 'otter-stack');
    this.dataDir = path.join(work, 'data');
  }

  async up() {
    this.mqttPort = await freePort();
    this.apiPort = await freePort();
    try {
      await run(this.script, ['up', '--data-dir', this.dataDir, '--port', String(this.mqttPort), '--api-port',
        String(this.apiPort), '--build-dir', this.buildDir], { timeout: 120000 });
    } catch (e) {
      throw new Error(`otter-stack up failed:\n${e.stdout}${e.stderr}`);
    }
    this.token = fs.readFileSync(path.join(this.dataDir, 'api-token'), 'utf8').trim();
    this.api = new Api(this.apiPort, this.token);
    return this.api;
  }

  async down() {
    try {
      await run(this.script, ['down', '--data-dir', this.dataDir], { timeout: 60000 });
    } catch (e) {
      log(`otter-stack down: ${e.message}`);
    }
  }

  dumpLogs() {
    for (const name of ['otterd.log', 'broker/mosquitto.console']) {
      const file = path.join(this.dataDir, name);
      if (fs.existsSync(file)) {
        const lines = fs.readFileSync(file, 'utf8').split('\n');
        process.stderr.write(`--- ${name} (tail) ---\n${lines.slice(-40).join('\n')}\n`);
      }
    }
  }
}

// otter-sim as a child process, output to a log file.
export class Sim {
  constructor(binary, work, name) {
    this.binary = binary;
    this.logPath = path.join(work, `${name}.log`);
    this.reportPath = path.join(work, `${name}-report.json`);
  }

  start(args) {
    log(`running otter-sim ${args.join(' ')}`);
    const out = fs.openSync(this.logPath, 'w');
    this.proc = spawn(this.binary, [...args, '--report', this.reportPath], { stdio: ['ignore', out, out] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    return this;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  tail(lines = 40) {
    try { return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
  }
}

export async function buildFirmware(sim, out, { board, version, size }) {
  await run(sim, ['firmware', '--board', board, '--version', version, '--size', size, '-o', out], { timeout: 60000 });
  return out;
}

// A DER ECDSA P-256 signature made by the openssl CLI (not by otterd).
export async function opensslSign(keyPem, file, out) {
  await run('openssl', ['dgst', '-sha256', '-sign', keyPem, '-out', out, file], { timeout: 30000 });
  return out;
}

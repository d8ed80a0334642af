#!/usr/bin/env node
// A real local Bluesky network (PLC + PDS + bsky AppView + Ozone) for livepost's tests and trials.
//
// Usage: DB_POSTGRES_URL=postgresql://... node network.js --pds-port 2583 --plc-port 2582 \
//          --bsky-port 2584 --ozone-port 2587 [--accounts alice,bob,carol] [--tmpdir DIR] [--rate-limits]
//
// Protocol (stdout carries JSON lines only; every log goes to stderr):
//   ready   -> {"pds": "http://localhost:PORT", "plc": ..., "appview": ..., "ozone": ...,
//               "accounts": [{"handle", "did", "password", "app_password"}], "rate_limits": bool}
//   stdin "process" -> network.processAll() -> {"reply": "process", "ok": true, "ms": N}
//   stdin "ping"    -> {"reply": "ping", "ok": true}
//   stdin closed, SIGTERM or SIGINT -> the network closes, the tmp folder is removed, exit 0.
'use strict'

const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

// --- stdout is the protocol channel: send every console message to stderr ---
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
for (const name of ['log', 'info', 'debug']) {
  console[name] = (...args) => console.error(...args)
}

// --- every server listens on 127.0.0.1 only (dev-env calls listen(port) on all interfaces) ---
const LOOPBACK = '127.0.0.1'
const WILDCARDS = new Set([undefined, null, '', '0.0.0.0', '::'])
const originalListen = net.Server.prototype.listen
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0]
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path === undefined && first.handle === undefined && first.fd === undefined) {
      if (WILDCARDS.has(first.host)) args[0] = { ...first, host: LOOPBACK }
    }
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string' || args[1] === null || args[1] === undefined) {
      if (WILDCARDS.has(args[1])) args[1] = LOOPBACK
    } else {
      args.splice(1, 0, LOOPBACK) // listen(port, backlog?, callback?)
    }
  } else if (first === undefined || typeof first === 'function') {
    args.unshift(0, LOOPBACK) // listen() or listen(callback): a random port on loopback
  }
  return originalListen.apply(this, args)
}

// --- command line ---
function parseArgs(argv) {
  const opts = { accounts: ['alice', 'bob', 'carol'], rateLimits: false }
  const numbers = { '--pds-port': 'pdsPort', '--plc-port': 'plcPort', '--bsky-port': 'bskyPort', '--ozone-port': 'ozonePort' }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg in numbers) {
      const value = Number(argv[++i])
      if (!Number.isInteger(value) || value <= 0 || value > 65535) fail(`${arg} needs a port number`)
      opts[numbers[arg]] = value
    } else if (arg === '--accounts') {
      opts.accounts = (argv[++i] || '').split(',').map((s) => s.trim()).filter(Boolean)
    } else if (arg === '--tmpdir') {
      opts.tmpdir = argv[++i]
    } else if (arg === '--rate-limits') {
      opts.rateLimits = true
    } else {
      fail(`unknown argument ${arg}`)
    }
  }
  for (const key of Object.values(numbers)) {
    const envName = 'LIVEPOST_NET_' + key.replace(/Port$/, '').toUpperCase() + '_PORT'
    if (opts[key] === undefined && process.env[envName]) opts[key] = Number(process.env[envName])
    if (opts[key] === undefined) fail(`missing --${key.replace(/Port$/, '')}-port (or ${envName})`)
  }
  return opts
}

function fail(message) {
  console.error(`network.js: ${message}`)
  process.exit(2)
}

const opts = parseArgs(process.argv.slice(2))
if (!process.env.DB_POSTGRES_URL) fail('DB_POSTGRES_URL must name a PostgreSQL database for the AppView')

// --- a throwaway TMPDIR: dev-env puts the PDS's SQLite files and blobs there and never deletes them ---
const tmpdir = opts.tmpdir || fs.mkdtempSync(path.join(os.tmpdir(), 'livepost-net-'))
fs.mkdirSync(tmpdir, { recursive: true })
process.env.TMPDIR = tmpdir
process.env.REDIS_HOST = process.env.REDIS_HOST || '127.0.0.1:1' // must be set, never used
process.env.DB_POSTGRES_SCHEMA = process.env.DB_POSTGRES_SCHEMA || 'livepost'
process.chdir(tmpdir) // dev-env loads a .env from the working directory: make it an empty one

function removeTmp() {
  try {
    fs.rmSync(tmpdir, { recursive: true, force: true })
  } catch (err) {
    console.error('network.js: could not remove', tmpdir, err)
  }
}

const { TestNetwork } = require('@atproto/dev-env')

let network = null
let closing = null

async function shutdown(code) {
  if (closing) return closing
  closing = (async () => {
    const timer = setTimeout(() => {
      console.error('network.js: close timed out, exiting anyway')
      removeTmp()
      process.exit(code || 1)
    }, 15000)
    timer.unref()
    try {
      if (network) await network.close()
    } catch (err) {
      console.error('network.js: error while closing', err)
    }
    removeTmp()
    process.exit(code)
  })()
  return closing
}

process.on('SIGTERM', () => shutdown(0))
process.on('SIGINT', () => shutdown(0))
process.on('unhandledRejection', (err) => console.error('network.js: unhandled rejection', err))

async function createAccount(name) {
  const handle = name.includes('.') ? name : `${name}.test`
  const short = handle.split('.')[0]
  const password = `${short}-password`
  const agent = network.pds.getClient()
  const res = await agent.createAccount({ handle, email: `${short}@example.com`, password })
  const appPassword = await agent.com.atproto.server.createAppPassword({ name: 'livepost' })
  return { handle, did: res.data.did, password, app_password: appPassword.data.password }
}

async function main() {
  const started = Date.now()
  network = await TestNetwork.create({
    dbPostgresUrl: process.env.DB_POSTGRES_URL,
    dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA,
    plc: { port: opts.plcPort },
    pds: {
      port: opts.pdsPort,
      hostname: 'localhost',
      enableDidDocWithSession: true,
      rateLimitsEnabled: opts.rateLimits,
    },
    bsky: {
      port: opts.bskyPort,
      publicUrl: `http://localhost:${opts.bskyPort}`,
    },
    ozone: { port: opts.ozonePort },
  })
  if (closing) return
  const accounts = []
  for (const name of opts.accounts) accounts.push(await createAccount(name))
  await network.processAll()
  if (closing) return
  emit({
    pds: network.pds.url,
    plc: network.plc.url,
    appview: network.bsky.url,
    ozone: network.ozone.url,
    accounts,
    rate_limits: opts.rateLimits,
    tmpdir,
    pid: process.pid,
    start_ms: Date.now() - started,
  })

  const rl = readline.createInterface({ input: process.stdin })
  let queue = Promise.resolve()
  rl.on('line', (line) => {
    const command = line.trim()
    if (!command) return
    queue = queue.then(() => runCommand(command))
  })
  rl.on('close', () => {
    queue.then(() => shutdown(0))
  })
}

async function runCommand(command) {
  const started = Date.now()
  try {
    if (command === 'process') {
      await network.processAll()
    } else if (command !== 'ping') {
      emit({ reply: command, ok: false, error: `unknown command ${command}` })
      return
    }
    emit({ reply: command, ok: true, ms: Date.now() - started })
  } catch (err) {
    emit({ reply: command, ok: false, error: String((err && err.stack) || err) })
  }
}

main().catch(async (err) => {
  console.error('network.js: the network failed to start:', err)
  emit({ error: String((err && err.message) || err) })
  await shutdown(1)
})

// Bluesky's reference PDS (`@atproto/pds`, the server bsky.social runs) with an in-memory
// PLC directory (`@did-plc/server`, where the PDS registers each account's DID), both on
// 127.0.0.1 and nowhere else, for repurpose's tests.
//
//   node start.js DIR [PDS_PORT] [PLC_PORT]
//
// DIR is an empty folder the caller owns: the PDS's SQLite files and blobs go there and
// nowhere else. A port of 0 (the default) takes a free one. When both servers answer it
// prints one line, `listening 127.0.0.1:PORT` (the PDS's port), and on SIGTERM or SIGINT
// (or the end of stdin, when stdin is a pipe) it stops both and exits 0. Accounts take
// handles ending in `.test`, with no invite code. Rate limits are off unless
// PDS_RATE_LIMITS_ENABLED=true is in the environment; the secrets (JWT, admin, PLC rotation
// key) are random for each run.
'use strict'

const crypto = require('node:crypto')
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')

const [dir, pdsPortArg = '0', plcPortArg = '0'] = process.argv.slice(2)
if (!dir) {
  console.error('usage: node start.js DIR [PDS_PORT] [PLC_PORT]')
  process.exit(2)
}

// Both servers call express's `app.listen(port)`, which binds every interface.
function onLoopback(app) {
  const listen = app.listen.bind(app)
  app.listen = (port) => listen(port, '127.0.0.1')
}

// The PDS writes its own URL (`http://localhost:PORT`) into each account's DID document, so
// it must know its port before it listens: a free one is taken here when none is given.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

async function main() {
  // Loaded here so that a missing install is reported by the catch below, on stderr.
  const plc = require('@did-plc/server')
  const pds = require('@atproto/pds')

  const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: Number(plcPortArg) })
  onLoopback(plcServer.app)
  const plcListening = await plcServer.start()
  const plcPort = plcListening.address().port

  const pdsPort = Number(pdsPortArg) || (await freePort())
  Object.assign(process.env, {
    PDS_HOSTNAME: 'localhost',
    PDS_PORT: String(pdsPort),
    PDS_DEV_MODE: 'true',
    PDS_INVITE_REQUIRED: 'false',
    PDS_DATA_DIRECTORY: dir,
    PDS_BLOBSTORE_DISK_LOCATION: path.join(dir, 'blocks'),
    PDS_JWT_SECRET: crypto.randomBytes(16).toString('hex'),
    PDS_ADMIN_PASSWORD: crypto.randomBytes(16).toString('hex'),
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: crypto.randomBytes(32).toString('hex'),
    PDS_DID_PLC_URL: `http://127.0.0.1:${plcPort}`,
    // No relay to tell about new posts, no Bluesky app view to proxy reads to.
    PDS_CRAWLERS: '',
    LOG_ENABLED: process.env.LOG_ENABLED || 'false',
  })
  const env = pds.readEnv()
  const server = await pds.PDS.create(pds.envToCfg(env), pds.envToSecrets(env))
  onLoopback(server.app)
  await server.start()

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await server.destroy()
    await plcServer.destroy()
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // Started with a pipe on stdin (the tests hold one), it stops when the pipe closes too: a
  // test process that dies takes the servers with it.
  if (fs.fstatSync(0).isFIFO()) {
    process.stdin.on('end', stop)
    process.stdin.resume()
  }
  console.log(`listening 127.0.0.1:${pdsPort}`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})

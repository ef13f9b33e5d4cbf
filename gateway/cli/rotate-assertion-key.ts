// `npm run rotate-assertion-key`: rotates the gateway's assertion key kept in
// DATA_DIR/keys (docs/threat-model.md "Rotating the gateway key"): the current
// public key becomes the previous one, a new private key replaces it, and the
// public JWKS file lists both. The gateway signs with the new key from its next
// start; upstreams accept both meanwhile.
import { SETTINGS_DEFAULTS } from '../config/settings.ts';
import { loadEnvFile } from '../config/env-file.ts';
import { rotateGatewayAssertionKey } from '../auth/assertion-key.ts';

if (import.meta.main) {
  loadEnvFile();
  if (process.env.GATEWAY_ASSERTION_PRIVATE_KEY || process.env.GATEWAY_ASSERTION_PRIVATE_KEY_FILE) {
    console.error('GATEWAY_ASSERTION_PRIVATE_KEY(_FILE) is set: rotate it there (new key, old public key in GATEWAY_ASSERTION_PREVIOUS_PUBLIC_KEY); see docs/threat-model.md');
    process.exitCode = 1;
  } else {
    const dataDir = process.env.DATA_DIR || SETTINGS_DEFAULTS.DATA_DIR;
    const { kid, previousKid } = rotateGatewayAssertionKey(dataDir);
    console.log(`new gateway assertion key ${kid}${previousKid ? ` (previous ${previousKid} still accepted)` : ''} in ${dataDir}/keys; restart the gateway to sign with it`);
  }
}

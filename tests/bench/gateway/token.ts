// Mints the bench's access token exactly like the gateway's login would (claims
// per DESIGN.md, HS256 with the JWT_SECRET_KEY the bench gives the gateway), so
// "gateway+JWT" measures a real verification path; the stub upstream answers the
// orm's user-status lookup for user 4242 (stub-upstream.ts).
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export interface BenchTokenOptions {
  secret: string;
  issuer: string;
  audience: string;
  /** Comfortably longer than a bench run. */
  lifetimeS?: number;
}

export async function mintBenchToken(options: BenchTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const mail = 'bench-user@fullon.test';
  return new SignJWT({ user_id: 4242, username: mail, email: mail, role: 'user' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(mail)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetimeS ?? 3600))
    .setJti(randomUUID())
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .sign(new TextEncoder().encode(options.secret));
}

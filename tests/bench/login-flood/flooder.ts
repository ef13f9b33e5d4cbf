// The login flood of `npm run bench -- login-flood`, in its own process so its
// event loop never delays the measured user's requests: `flooders` loops post
// wrong passwords as fast as they are answered until SIGTERM, then print the
// count of each status as one JSON line.
const [url, floodersArg] = process.argv.slice(2);
const flooders = Number(floodersArg ?? 16);
const answers: Record<number, number> = {};
let flooding = true;
let attempt = 0;
process.once('SIGTERM', () => (flooding = false));
await Promise.all(
  Array.from({ length: flooders }, async () => {
    while (flooding) {
      const mail = attempt++ % 2 === 0 ? 'target@example.com' : `guess${attempt}@example.com`;
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: mail, password: `wrong-${attempt}` }).toString(),
      }).catch(() => null);
      if (!res) continue;
      await res.arrayBuffer();
      answers[res.status] = (answers[res.status] ?? 0) + 1;
    }
  }),
);
process.stdout.write(`${JSON.stringify(answers)}\n`);

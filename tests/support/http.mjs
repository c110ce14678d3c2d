// Small HTTP helpers for the integration tests: raw sockets for malformed
// requests, cookie handling, CSRF token extraction.
import net from 'node:net';

// Sends raw bytes and resolves with everything the server sent back before closing.
export function rawRequest(port, bytes, { endAfterWrite = false } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    socket.on('connect', () => {
      socket.write(bytes);
      if (endAfterWrite) socket.end();
    });
    socket.on('data', (d) => { data = Buffer.concat([data, d]); });
    socket.on('error', (e) => (e.code === 'ECONNRESET' ? resolve(data.toString('latin1')) : reject(e)));
    socket.on('close', () => resolve(data.toString('latin1')));
  });
}

export function statusOf(rawResponse) {
  const m = rawResponse.match(/^HTTP\/1\.1 (\d{3})/);
  return m ? Number(m[1]) : 0;
}

// The value of our session cookie from a response, or null.
export function sessionCookie(res) {
  for (const c of res.headers.getSetCookie()) {
    const m = c.match(/^sid=([^;]*)/);
    if (m) return { value: m[1], header: c };
  }
  return null;
}

// The value of the signed CSRF cookie of visitors without a session, or null.
export function csrfCookie(res) {
  for (const c of res.headers.getSetCookie()) {
    const m = c.match(/^csrf=([^;]*)/);
    if (m) return { value: m[1], header: c };
  }
  return null;
}

export function csrfToken(html) {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  return m ? m[1] : null;
}

export const noRedirect = { redirect: 'manual' };

//! The door in front of burn's websocket server. burn-remote upgrades any connection on any of
//! its routes, waits for ever for a first message, and reads frames of up to its own maximum
//! (1 GiB) before it looks at the token. The gate listens where the user asked, passes each
//! connection on to burn's listener on the loopback, and first enforces what a stepwise client
//! always does within a moment of connecting:
//!
//! - at most [`MAX_CONNECTIONS`] at a time (more are closed at once);
//! - the upgrade request, at most [`MAX_REQUEST`] bytes, within [`HANDSHAKE`], for `/session`
//!   (the route a client trains on; server-to-server transfers are not stepwise's);
//! - the first frame, the session's opening that carries the token, within [`HANDSHAKE`] of the
//!   upgrade and at most [`MAX_FIRST_FRAME`] bytes.
//!
//! After that the bytes pass untouched: burn checks the token, and an authorised session may
//! send tensors of any size and sit idle between batches.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Connections open at once; a training client holds one.
pub const MAX_CONNECTIONS: usize = 16;
/// Time for the upgrade request, then for the first frame.
pub const HANDSHAKE: Duration = Duration::from_secs(10);
/// The upgrade request's bytes (a client's is about 250).
pub const MAX_REQUEST: usize = 16 * 1024;
/// The first frame's payload: the session's opening (a device index and the token).
pub const MAX_FIRST_FRAME: u64 = 64 * 1024;

/// Passes each connection accepted on `public` to `inner` once it has shown itself a client;
/// `refused` hears why one was not. Runs until `public` fails.
pub fn guard(
    public: TcpListener,
    inner: std::net::SocketAddr,
    refused: Arc<dyn Fn(String) + Send + Sync>,
) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in public.incoming().filter_map(Result::ok) {
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            refused(format!("more than {MAX_CONNECTIONS} connections at once"));
            stream.shutdown(Shutdown::Both).ok();
            continue;
        }
        let (open, refused) = (open.clone(), refused.clone());
        std::thread::spawn(move || {
            if let Err(reason) = pass(stream, inner) {
                refused(reason);
            }
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Checks one connection's upgrade and first frame, then joins it to burn's listener until
/// either side closes.
fn pass(mut client: TcpStream, inner: std::net::SocketAddr) -> Result<(), String> {
    let peer = client
        .peer_addr()
        .map_or("a client".into(), |peer| peer.to_string());
    let refuse = |why: &str| format!("{peer}: {why}");
    client.set_read_timeout(Some(HANDSHAKE)).ok();
    let (request, early) = read_request(&mut client).map_err(|why| refuse(&why))?;
    let mut server = TcpStream::connect(inner).map_err(|err| refuse(&err.to_string()))?;
    server
        .write_all(&request)
        .map_err(|err| refuse(&err.to_string()))?;
    // burn's answer to the upgrade goes back while the client's first frame is awaited.
    let mut answers = server.try_clone().map_err(|err| refuse(&err.to_string()))?;
    let mut to_client = client.try_clone().map_err(|err| refuse(&err.to_string()))?;
    let back = std::thread::spawn(move || {
        io::copy(&mut answers, &mut to_client).ok();
        to_client.shutdown(Shutdown::Both).ok();
    });
    let first = read_first_frame(&early, &mut client).map_err(|why| {
        server.shutdown(Shutdown::Both).ok();
        refuse(&why)
    });
    if let Ok(header) = &first {
        client.set_read_timeout(None).ok();
        if server.write_all(header).is_ok() {
            io::copy(&mut client, &mut server).ok();
        }
        server.shutdown(Shutdown::Both).ok();
    }
    back.join().ok();
    first.map(|_| ())
}

/// The HTTP upgrade request, up to its blank line: bounded in time and size, for `/session`;
/// and the bytes read after it (a client may send its first frame in the same packet).
fn read_request(client: &mut TcpStream) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut request = Vec::new();
    let mut byte = [0u8; 1024];
    let end = |request: &[u8]| request.windows(4).position(|end| end == b"\r\n\r\n");
    while end(&request).is_none() {
        if request.len() > MAX_REQUEST {
            return Err(format!("an upgrade request over {MAX_REQUEST} bytes"));
        }
        match client.read(&mut byte) {
            Ok(0) => return Err("closed before its upgrade request".into()),
            Ok(read) => request.extend_from_slice(&byte[..read]),
            Err(_) => {
                return Err(format!(
                    "no upgrade request within {} s",
                    HANDSHAKE.as_secs()
                ))
            }
        }
    }
    if !request.starts_with(b"GET /session ") && !request.starts_with(b"GET /session?") {
        let line = request.split(|&b| b == b'\r').next().unwrap_or_default();
        return Err(format!(
            "asked for '{}', not a training session",
            String::from_utf8_lossy(&line[..line.len().min(80)])
        ));
    }
    let early = request.split_off(end(&request).expect("read up to the blank line") + 4);
    Ok((request, early))
}

/// The bytes of the client's first websocket frame read so far (`early`, read with the request,
/// then its header from `client`), once its length is known to be within [`MAX_FIRST_FRAME`].
fn read_first_frame(early: &[u8], client: &mut TcpStream) -> Result<Vec<u8>, String> {
    let mut client = early.chain(client);
    let client = &mut client;
    let silent = || format!("no session opening within {} s", HANDSHAKE.as_secs());
    let mut header = vec![0u8; 2];
    client.read_exact(&mut header).map_err(|_| silent())?;
    let length = match header[1] & 0x7f {
        126 => {
            let mut size = [0u8; 2];
            client.read_exact(&mut size).map_err(|_| silent())?;
            header.extend_from_slice(&size);
            u64::from(u16::from_be_bytes(size))
        }
        127 => {
            let mut size = [0u8; 8];
            client.read_exact(&mut size).map_err(|_| silent())?;
            header.extend_from_slice(&size);
            u64::from_be_bytes(size)
        }
        short => u64::from(short),
    };
    if length > MAX_FIRST_FRAME {
        return Err(format!(
            "a first frame of {length} bytes before presenting a token (at most \
             {MAX_FIRST_FRAME})"
        ));
    }
    // What was read with the request beyond the header is the frame's too.
    let (rest, _) = client.get_ref();
    header.extend_from_slice(rest);
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gate in front of a listener that echoes nothing; the gate's address.
    fn gate() -> std::net::SocketAddr {
        let inner = TcpListener::bind("127.0.0.1:0").unwrap();
        let inner_address = inner.local_addr().unwrap();
        std::thread::spawn(move || {
            let held: Vec<_> = inner.incoming().take(64).collect();
            std::thread::sleep(Duration::from_secs(30));
            drop(held);
        });
        let public = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = public.local_addr().unwrap();
        std::thread::spawn(move || guard(public, inner_address, Arc::new(|_| {})));
        address
    }

    /// Whether the gate closed `stream` (a read ends, rather than waits) within 5 s.
    fn closed(stream: &mut TcpStream) -> bool {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        match stream.read(&mut [0u8; 16]) {
            Ok(read) => read == 0,
            Err(err) => !matches!(
                err.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
        }
    }

    #[test]
    fn a_route_that_is_not_a_session_is_closed() {
        let mut stream = TcpStream::connect(gate()).unwrap();
        stream
            .write_all(b"GET /data HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert!(closed(&mut stream));
    }

    #[test]
    fn a_huge_first_frame_is_refused_before_a_byte_of_it_passes() {
        let mut stream = TcpStream::connect(gate()).unwrap();
        stream
            .write_all(b"GET /session HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        // A masked binary frame announcing 1 GiB.
        let mut frame = vec![0x82, 0x80 | 127];
        frame.extend_from_slice(&(1u64 << 30).to_be_bytes());
        stream.write_all(&frame).unwrap();
        assert!(closed(&mut stream));
    }

    #[test]
    fn accepts_a_session_request_with_a_small_first_frame() {
        let (request, first) = (b"GET /session HTTP/1.1\r\n\r\n", [0x82u8, 0x85, 1, 2, 3, 4]);
        let mut stream = TcpStream::connect(gate()).unwrap();
        stream.write_all(request).unwrap();
        stream.write_all(&first).unwrap();
        // Passed on: the silent inner server keeps it open.
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let read = stream.read(&mut [0u8; 16]);
        assert!(read.is_err(), "{read:?}");
    }
}

//! Sockets: a guest accepts a connection on a listening socket the host preopened.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use crate::*;

#[test]
fn guest_accepts_and_echoes_on_a_preopened_listener() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        let mut conn = TcpStream::connect(addr).unwrap();
        conn.write_all(b"ping over wasi").unwrap();
        let mut back = Vec::new();
        conn.read_to_end(&mut back).unwrap();
        back
    });
    let outcome = Wasi::new("echo")
        .listener(listener)
        .run(&wat_program("echo_socket"));
    outcome.assert_exit(0);
    assert_eq!(client.join().unwrap(), b"ping over wasi");
}

#[test]
fn no_socket_without_a_grant() {
    // Without a preopened listener, fd 3 does not exist: accept is EBADF (100 + 8).
    let outcome = Wasi::new("echo").run(&wat_program("echo_socket"));
    outcome.assert_exit(108);
}

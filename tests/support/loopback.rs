//! Loopback test servers (the fake Spotify, the fake Lambda Runtime API):
//! bound to 127.0.0.1 on a free port, served on their own thread.

use std::future::IntoFuture as _;

/// A listener on 127.0.0.1 with a free port, for [`serve_on_thread`].
pub fn bind_loopback() -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    listener
}

/// Serves `app` on its own thread and runtime, so plain `#[test]`s that
/// run the binary need no runtime; sending on (or dropping) the returned
/// sender stops it.
pub fn serve_on_thread(
    name: &str,
    listener: std::net::TcpListener,
    app: axum::Router,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a test server's runtime");
            rt.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                tokio::select! {
                    served = axum::serve(listener, app).into_future() => served.expect("a test server"),
                    _ = stopped => {}
                }
            });
            // Dropping the runtime drops open connections and hangs.
        })
        .expect("spawn a test server's thread");
    stop
}

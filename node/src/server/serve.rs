//! The accept loop: every connection bounded in number and in idle time.
//!
//! `axum::serve` gives a connection as long as it likes to send its
//! request headers, and keeps idle connections forever; a client that
//! opens thousands of connections and sends nothing would hold a socket
//! each until the process ran out of file descriptors. Here each
//! connection must send its first byte within the header timeout and
//! then its headers within it (hyper's header read timeout), and at most
//! [`ApiLimits::max_connections`](crate::http::ApiLimits::max_connections) are
//! open at once: beyond that, new ones are closed as soon as they are
//! accepted (the operator sees a warning, at most one a minute).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;

use super::router;
use crate::http::ApiState;

/// How often a full connection table is reported at most.
const FULL_WARNING_EVERY: Duration = Duration::from_secs(60);
/// Pause after a failed accept (out of file descriptors, …).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves the API on `listener` until `shutdown` completes, then stops
/// accepting, ends the event streams and waits for in-flight requests.
pub async fn serve<F>(listener: TcpListener, state: ApiState, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let limits = state.limits.clone();
    let closing = state.clone();
    let mut make = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_timeout)
        .keep_alive_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    let mut last_warning: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "could not accept an HTTP connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            if last_warning.is_none_or(|t| t.elapsed() >= FULL_WARNING_EVERY) {
                last_warning = Some(Instant::now());
                tracing::warn!(
                    client = %remote,
                    limit = limits.max_connections,
                    "too many open HTTP connections; closing new ones until some end (http.max_connections)"
                );
            }
            drop(stream);
            continue;
        };
        let Ok(service) = make.call(remote).await;
        let header_timeout = limits.header_timeout;
        let builder = builder.clone();
        let graceful_watcher = graceful.watcher();
        tokio::spawn(async move {
            // hyper's header timeout starts with the first byte: a client
            // that connects and never sends one is closed here.
            // (`readable()` may report a fresh socket ready; a peek
            // waits for a byte, or end of stream, for real.)
            let mut first = [0u8; 1];
            if tokio::time::timeout(header_timeout, stream.peek(&mut first))
                .await
                .is_err()
            {
                tracing::debug!(client = %remote, "closed a connection that sent nothing");
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            if let Err(error) = graceful_watcher.watch(connection).await {
                tracing::debug!(client = %remote, %error, "HTTP connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    closing.close_streams();
    graceful.shutdown().await;
    Ok(())
}

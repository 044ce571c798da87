//! Per-client token buckets: each client may make `burst` requests at once
//! and `per_second` on average; beyond that it gets 429 with `Retry-After`.
//!
//! A client is its IP address, or for IPv6 its /64 (one subscriber usually
//! holds a whole /64, so per-address buckets would be trivial to dodge).
//! The bucket map is bounded: when it is full, buckets that have refilled
//! completely (idle clients) are dropped, and if that frees nothing the map
//! is cleared — memory stays bounded under a flood of addresses, at the cost
//! of briefly forgetting who was throttled.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::ApiState;

/// Most clients tracked at once.
const MAX_CLIENTS: usize = 65_536;

/// The rate limit applied to each client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second allowed per client.
    pub per_second: f64,
    /// Requests a client may make at once after being idle (bucket size).
    pub burst: u32,
    /// Whether loopback clients (the operator's own tools, a local reverse
    /// proxy, benchmarks) are exempt.
    pub exempt_loopback: bool,
}

impl Default for RateLimit {
    /// The defaults of `HttpConfig`: 2,000 requests/s, bursts of 10,000,
    /// loopback not exempt.
    fn default() -> Self {
        RateLimit {
            per_second: 2_000.0,
            burst: 10_000,
            exempt_loopback: false,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of every recent client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    config: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub(crate) fn new(config: RateLimit) -> RateLimiter {
        RateLimiter {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`, or says how long until one is available.
    pub(crate) fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.config.exempt_loopback && ip.is_loopback() {
            return Ok(());
        }
        let key = client_key(ip);
        let burst = f64::from(self.config.burst.max(1));
        let rate = self.config.per_second.max(f64::MIN_POSITIVE);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&key) {
            buckets.retain(|_, b| refill(b, now, rate, burst) < burst);
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let tokens = refill(bucket, now, rate, burst);
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            bucket.updated = now;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                ((1.0 - tokens) / rate).min(86_400.0),
            ))
        }
    }
}

/// The tokens `bucket` holds at `now` (without storing them).
fn refill(bucket: &Bucket, now: Instant, rate: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    (bucket.tokens + elapsed * rate).min(burst)
}

/// The address a client is counted under: IPv4 as is, IPv6 by its /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::from(segments)
            }
        },
    }
}

/// Middleware: 429 when the client's bucket is empty. Requests without a
/// peer address (a server not started through [`crate::server::serve`]) pass.
pub(crate) async fn limit(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let Some(limiter) = state.shared.rate_limiter.as_ref() else {
        return next.run(request).await;
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(ip) = peer {
        if let Err(wait) = limiter.check(ip, Instant::now()) {
            let seconds = wait.as_secs().saturating_add(1);
            return ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from this address; retry in {seconds} s"),
            )
            .retry_after(seconds)
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_second: f64, burst: u32) -> RateLimiter {
        RateLimiter::new(RateLimit {
            per_second,
            burst,
            exempt_loopback: false,
        })
    }

    #[test]
    fn allows_a_burst_then_refills_at_the_rate() {
        let l = limiter(2.0, 3);
        let ip: IpAddr = "192.0.2.1".parse().expect("literal");
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(ip, t0).is_ok());
        }
        let wait = l.check(ip, t0).expect_err("bucket empty");
        assert!(wait <= Duration::from_millis(500), "{wait:?}");
        assert!(l.check(ip, t0 + Duration::from_millis(500)).is_ok());
        assert!(l.check(ip, t0 + Duration::from_millis(500)).is_err());
        // Another client is unaffected.
        assert!(l.check("192.0.2.2".parse().expect("literal"), t0).is_ok());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let l = limiter(0.001, 1);
        let t0 = Instant::now();
        assert!(l.check("2001:db8::1".parse().expect("literal"), t0).is_ok());
        assert!(l
            .check("2001:db8::2".parse().expect("literal"), t0)
            .is_err());
        assert!(l
            .check("2001:db8:0:1::1".parse().expect("literal"), t0)
            .is_ok());
    }

    #[test]
    fn loopback_can_be_exempt() {
        let l = RateLimiter::new(RateLimit {
            per_second: 0.001,
            burst: 1,
            exempt_loopback: true,
        });
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(l.check("127.0.0.1".parse().expect("literal"), t0).is_ok());
        }
    }
}

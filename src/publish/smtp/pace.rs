//! The pace of sending: at most so many messages a second.

use std::time::{Duration, Instant};

/// At most so many messages a second: `wait` before each one sleeps as long as needed.
#[derive(Debug, Clone)]
pub struct Pace {
    interval: Option<Duration>,
    next: Option<Instant>,
}

impl Pace {
    /// `per_second` messages a second at most (2.5: one every 400 ms); `None`, zero, a
    /// negative or a non-finite rate set no limit.
    pub fn new(per_second: Option<f64>) -> Pace {
        let interval = per_second
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            // A rate so low its interval overflows: one a day is as good as never.
            .map(|rate| {
                Duration::try_from_secs_f64(1.0 / rate)
                    .unwrap_or(Duration::MAX)
                    .min(Duration::from_secs(86_400))
            });
        Pace {
            interval,
            next: None,
        }
    }

    /// Sleeps until the next message may go.
    pub fn wait(&mut self) {
        let delay = self.delay(Instant::now());
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
    }

    /// How long to wait at `now` before the next message, which is then counted as sent at
    /// the end of that wait.
    fn delay(&mut self, now: Instant) -> Duration {
        let Some(interval) = self.interval else {
            return Duration::ZERO;
        };
        let start = self.next.filter(|next| *next > now).unwrap_or(now);
        self.next = Some(start + interval);
        start - now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_spaces_messages_by_the_rate() {
        let mut pace = Pace::new(Some(2.5));
        let start = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(pace.delay(start), Duration::ZERO);
        assert_eq!(pace.delay(start), ms(400));
        assert_eq!(pace.delay(start + ms(100)), ms(700));
        // After a long gap the next one goes at once, with no burst of saved-up slots.
        assert_eq!(pace.delay(start + ms(5000)), Duration::ZERO);
        assert_eq!(pace.delay(start + ms(5100)), ms(300));
        for rate in [
            None,
            Some(0.0),
            Some(-1.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
        ] {
            let mut pace = Pace::new(rate);
            assert_eq!(pace.delay(start), Duration::ZERO);
            assert_eq!(pace.delay(start), Duration::ZERO, "{rate:?}");
        }
        assert_eq!(
            Pace::new(Some(1e-300)).interval,
            Some(Duration::from_secs(86_400))
        );
    }
}

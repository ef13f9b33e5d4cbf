// Every default of routes.yaml in one object (pino's defaultOptions style): the
// loader fills missing keys from here, the README and the schema describe them.

export const ROUTE_DEFAULTS = {
  upstream: {
    timeouts: { connect: '2s', request: '30s' },
    health: {
      path: '/health',
      interval: '10s',
      timeout: '2s',
      unhealthy_threshold: 3,
      healthy_threshold: 1,
      critical: false,
      restart_after_failures: 0,
    },
    process: {
      cwd: '.',
      autostart: true,
      stop_grace: '10s',
      start_timeout: '30s',
      restart: {
        policy: 'on-failure',
        backoff_initial: '500ms',
        backoff_max: '30s',
        reset_after: '60s',
        start_limit_burst: 5,
        start_limit_interval: '60s',
      },
    },
  },
  route: {
    rewrite: null as string | null,
    auth: 'user',
    websocket: false,
    body_limit: '1mb',
    forward_authorization: false,
    rate_limit: {
      by: 'user',
      admins: 'exempt',
      on_store_error: 'open',
    },
  },
} as const;

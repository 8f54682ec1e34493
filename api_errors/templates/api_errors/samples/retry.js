const RETRYABLE_CODES = new Set({{ retryable_codes }});
const RETRY_AFTER_STATUSES = new Set({{ retry_after_statuses }});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function apiRequest(url, options, maxAttempts = 3) {
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (networkError) {
      // No answer at all (connection refused or reset): worth another try.
      if (attempt >= maxAttempts) throw networkError;
      await sleep(2 ** (attempt - 1) * 1000);
      continue;
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) return body;

    // Retry server errors, 429 and the codes marked retryable; never any other 4xx.
    const retryable =
      response.status >= 500 ||
      RETRY_AFTER_STATUSES.has(response.status) ||
      RETRYABLE_CODES.has({{ code }});
    if (!retryable || attempt >= maxAttempts) {
      const error = new Error({{ message }} || response.statusText);
      error.status = response.status;
      error.code = {{ code }};
      error.correlationId = response.headers.get({{ correlation_header }});
      throw error;
    }

    // Exponential backoff, never sooner than Retry-After.
    const retryAfter = Number(response.headers.get("Retry-After")) || 0;
    await sleep(Math.max(2 ** (attempt - 1) * 1000, retryAfter * 1000));
  }
}

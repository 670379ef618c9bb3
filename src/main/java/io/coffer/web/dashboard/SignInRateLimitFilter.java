package io.coffer.web.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits sign-in attempts per client address (a token bucket each): past the limit, 429 with a page
 * that says to wait, and a {@code Retry-After}. Every attempt takes a token before the token it sends is
 * checked, so that many attempts at once cannot slip through; one that signs in gives it back. Tokens
 * are far too long to guess, so this is about a client hammering the catalogue, not about luck.
 */
class SignInRateLimitFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(SignInRateLimitFilter.class);

	/** Addresses remembered at once, so that a flood of addresses cannot fill the memory. */
	private static final int MAX_CLIENTS = 100_000;

	private final int attempts;

	private final Duration window;

	private final Cache<String, Bucket> buckets;

	SignInRateLimitFilter(DashboardProperties properties) {
		this.attempts = properties.signInAttempts();
		this.window = properties.signInWindow();
		// a bucket idle for a whole window is full again: forgetting it changes nothing
		this.buckets = Caffeine.newBuilder().maximumSize(MAX_CLIENTS).expireAfterAccess(this.window).build();
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !HttpMethod.POST.matches(request.getMethod())
				|| !DashboardSecurityConfiguration.SIGN_IN.equals(request.getServletPath());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Bucket bucket = this.buckets.get(request.getRemoteAddr(), (client) -> newBucket());
		ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
		if (!probe.isConsumed()) {
			long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill()) + 1);
			log.warn("Sign-in attempts from {} are over {} per {}: refused for {}s", request.getRemoteAddr(),
					this.attempts, this.window, seconds);
			response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
			response.sendError(HttpStatus.TOO_MANY_REQUESTS.value());
			return;
		}
		chain.doFilter(request, response);
		Authentication signedIn = SecurityContextHolder.getContext().getAuthentication();
		if (signedIn != null && signedIn.isAuthenticated() && signedIn.getPrincipal() instanceof DashboardUser) {
			bucket.addTokens(1);
		}
	}

	private Bucket newBucket() {
		return Bucket.builder()
			.addLimit((limit) -> limit.capacity(this.attempts).refillGreedy(this.attempts, this.window))
			.build();
	}

}

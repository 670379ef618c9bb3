package io.coffer.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.coffer.catalog.TokenRepository;
import io.coffer.system.AdminToken;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The actuator's endpoints besides health need the operator token, or the metrics token
 * ({@code coffer.security.metrics-token}) that may read them and nothing else: the metrics' labels name
 * every database. Health stays open for load balancers and orchestrators. A database's token is
 * answered 403, as for the API's other operator-only calls.
 */
class ActuatorAccessFilter extends OncePerRequestFilter {

	private final AdminToken adminToken;

	private final byte[] metricsToken;

	private final TokenRepository tokens;

	ActuatorAccessFilter(AdminToken adminToken, String metricsToken, TokenRepository tokens) {
		this.adminToken = adminToken;
		this.metricsToken = metricsToken.getBytes(StandardCharsets.UTF_8);
		this.tokens = tokens;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String path = RequestPaths.decoded(request);
		return !path.startsWith("/actuator") || path.equals("/actuator/health") || path.startsWith("/actuator/health/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String token = TokenAuthenticationFilter.bearerToken(request.getHeader(HttpHeaders.AUTHORIZATION));
		if (token != null && (this.adminToken.matches(token) || isMetricsToken(token))) {
			chain.doFilter(request, response);
			return;
		}
		if (token != null && this.tokens.databaseOf(token).isPresent()) {
			ApiError.write(response, HttpStatus.FORBIDDEN, "operator_only",
					"only the operator token (or the metrics token) may read this");
			return;
		}
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"coffer\"");
		ApiError.write(response, HttpStatus.UNAUTHORIZED, "unauthorized",
				"the operator token or the metrics token is required: send it as 'Authorization: Bearer <token>'");
	}

	private boolean isMetricsToken(String token) {
		return this.metricsToken.length > 0
				&& MessageDigest.isEqual(this.metricsToken, token.getBytes(StandardCharsets.UTF_8));
	}

}

package io.coffer.web;

import java.io.IOException;
import java.util.Optional;

import io.coffer.catalog.TokenRepository;
import io.coffer.system.AdminToken;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/** Bearer tokens on {@code /api/**}: the operator token, or a database's own token. */
class TokenAuthenticationFilter extends OncePerRequestFilter {

	private static final String BEARER = "Bearer ";

	private final AdminToken adminToken;

	private final TokenRepository tokens;

	TokenAuthenticationFilter(AdminToken adminToken, TokenRepository tokens) {
		this.adminToken = adminToken;
		this.tokens = tokens;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		// the decoded path, which the container mapped this filter by: /%61pi/... is the API too
		return !RequestPaths.isApi(request);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<Caller> caller = callerOf(request.getHeader(HttpHeaders.AUTHORIZATION));
		if (caller.isEmpty()) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"coffer\"");
			ApiError.write(response, HttpStatus.UNAUTHORIZED, "unauthorized",
					"a valid token is required: send it as 'Authorization: Bearer <token>'");
			return;
		}
		request.setAttribute(Caller.ATTRIBUTE, caller.get());
		chain.doFilter(request, response);
	}

	private Optional<Caller> callerOf(String authorization) {
		String token = bearerToken(authorization);
		if (token == null) {
			return Optional.empty();
		}
		if (this.adminToken.matches(token)) {
			return Optional.of(Caller.OPERATOR);
		}
		return this.tokens.databaseOf(token).map(Caller::new);
	}

	/** The token of an {@code Authorization: Bearer <token>} header, or null for any other or none. */
	static String bearerToken(String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		String token = authorization.substring(BEARER.length()).trim();
		return token.isEmpty() ? null : token;
	}

}

package io.coffer.web.dashboard;

import java.util.List;

import io.coffer.catalog.TokenRepository;
import io.coffer.system.AdminToken;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Signs in with the same tokens as the API: the operator token, or a database's own token. The sign-in
 * form sends the token as the password and no user name.
 */
class TokenAuthenticationProvider implements AuthenticationProvider {

	private final AdminToken adminToken;

	private final TokenRepository tokens;

	TokenAuthenticationProvider(AdminToken adminToken, TokenRepository tokens) {
		this.adminToken = adminToken;
		this.tokens = tokens;
	}

	@Override
	public Authentication authenticate(Authentication authentication) {
		Object credentials = authentication.getCredentials();
		String token = (credentials != null) ? credentials.toString().trim() : "";
		if (token.isEmpty()) {
			throw new BadCredentialsException("no token given");
		}
		DashboardUser user = this.adminToken.matches(token) ? DashboardUser.OPERATOR
				: this.tokens.databaseOf(token)
					.map(DashboardUser::new)
					.orElseThrow(() -> new BadCredentialsException("unknown token"));
		String role = user.isOperator() ? "ROLE_OPERATOR" : "ROLE_DATABASE";
		// no credentials kept: the session holds who signed in, never the token
		return UsernamePasswordAuthenticationToken.authenticated(user, null, List.of(new SimpleGrantedAuthority(role)));
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
	}

}

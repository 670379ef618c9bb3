package io.coffer.web.dashboard;

import io.coffer.catalog.TokenRepository;
import io.coffer.system.AdminToken;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * The browser side: everything outside {@code /api/**} and {@code /actuator/**} (which
 * {@code WebConfiguration}'s chain leaves to the bearer-token filter). Signing in with a token makes
 * a session (a new id at sign-in, against fixation); its cookie's flags are set in
 * {@code application.yml}. Every state-changing form carries a CSRF token. The pages load their script
 * and style from the dashboard's own assets only, so the Content-Security-Policy allows nothing inline
 * and nothing from elsewhere; the Referrer-Policy keeps the dashboard's paths (database ids) from other
 * sites. Sign-in attempts are limited per client address ({@link SignInRateLimitFilter}).
 */
@Configuration(proxyBeanMethods = false)
class DashboardSecurityConfiguration {

	static final String SIGN_IN = "/dashboard/sign-in";

	static final String SIGN_OUT = "/dashboard/sign-out";

	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

	@Bean
	TokenAuthenticationProvider dashboardTokenAuthentication(AdminToken adminToken, TokenRepository tokens) {
		return new TokenAuthenticationProvider(adminToken, tokens);
	}

	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	SecurityFilterChain dashboardSecurity(HttpSecurity http, TokenAuthenticationProvider tokens,
			DashboardProperties properties,
			@Value("${server.servlet.session.cookie.name:JSESSIONID}") String sessionCookie) throws Exception {
		return http.authenticationProvider(tokens)
			.addFilterBefore(new SignInRateLimitFilter(properties), UsernamePasswordAuthenticationFilter.class)
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)))
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers(SIGN_IN, "/dashboard/assets/**").permitAll()
				.requestMatchers("/dashboard", "/dashboard/**").authenticated()
				// "/", the error page and whatever else renders nothing private
				.anyRequest().permitAll())
			.formLogin((form) -> form.loginPage(SIGN_IN)
				.loginProcessingUrl(SIGN_IN)
				.passwordParameter("token")
				.defaultSuccessUrl("/dashboard")
				.failureHandler((request, response, failure) -> response.sendRedirect(request.getContextPath()
						+ SIGN_IN + ((failure instanceof AuthenticationServiceException) ? "?unavailable" : "?error")))
				.permitAll())
			.logout((logout) -> logout.logoutUrl(SIGN_OUT)
				.logoutSuccessUrl(SIGN_IN + "?signed-out")
				.deleteCookies(sessionCookie)
				.permitAll())
			.sessionManagement((sessions) -> sessions.sessionFixation((fixation) -> fixation.changeSessionId()))
			.csrf(Customizer.withDefaults())
			.build();
	}

}

package io.coffer.web;

import java.util.List;

import io.coffer.catalog.TokenRepository;
import io.coffer.system.AdminToken;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

	@Bean
	FilterRegistrationBean<TokenAuthenticationFilter> tokenAuthentication(AdminToken adminToken,
			TokenRepository tokens) {
		FilterRegistrationBean<TokenAuthenticationFilter> registration = new FilterRegistrationBean<>(
				new TokenAuthenticationFilter(adminToken, tokens));
		registration.addUrlPatterns("/api/*");
		return registration;
	}

	/**
	 * The API and the actuator stay outside Spring Security's sign-in, sessions and CSRF (a bearer
	 * token is not sent by a browser on its own): {@link TokenAuthenticationFilter} authenticates them as
	 * before, and their responses keep their own headers.
	 */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	SecurityFilterChain apiSecurity(HttpSecurity http) throws Exception {
		return http.securityMatcher("/api/**", "/actuator/**")
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.headers((headers) -> headers.disable())
			.formLogin((form) -> form.disable())
			.httpBasic((basic) -> basic.disable())
			.logout((logout) -> logout.disable())
			.build();
	}

	@Override
	public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
		resolvers.add(new CallerArgumentResolver());
	}

	/** Hands controllers the {@link Caller} that the authentication filter found. */
	static class CallerArgumentResolver implements HandlerMethodArgumentResolver {

		@Override
		public boolean supportsParameter(MethodParameter parameter) {
			return parameter.getParameterType() == Caller.class;
		}

		@Override
		public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
				NativeWebRequest request, WebDataBinderFactory binderFactory) {
			Caller caller = (Caller) request.getAttribute(Caller.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
			if (caller == null) {
				throw new IllegalStateException("no caller: the authentication filter did not run");
			}
			return caller;
		}

	}

}

package io.coffer.web;

import java.util.List;

import io.coffer.catalog.TokenRepository;
import io.coffer.system.AdminToken;
import io.coffer.system.SecurityProperties;
import tools.jackson.databind.json.JsonMapper;

import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

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
		registration.setOrder(Ordered.LOWEST_PRECEDENCE - 20);
		return registration;
	}

	/** After authentication, so that an anonymous caller learns nothing but 401 whatever it sends. */
	@Bean
	FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimit(ApiProperties api) {
		FilterRegistrationBean<RequestBodyLimitFilter> registration = new FilterRegistrationBean<>(
				new RequestBodyLimitFilter(api.maxBodySize()));
		registration.addUrlPatterns("/api/*");
		registration.setOrder(Ordered.LOWEST_PRECEDENCE - 10);
		return registration;
	}

	@Bean
	FilterRegistrationBean<ActuatorAccessFilter> actuatorAccess(AdminToken adminToken, SecurityProperties security,
			TokenRepository tokens) {
		FilterRegistrationBean<ActuatorAccessFilter> registration = new FilterRegistrationBean<>(
				new ActuatorAccessFilter(adminToken, security.metricsToken(), tokens));
		registration.addUrlPatterns("/actuator/*");
		return registration;
	}

	/** Request bodies are read strictly; ordered after Spring Boot's own JSON converter, which it replaces. */
	@Bean
	@Order(1)
	ServerHttpMessageConvertersCustomizer strictRequestBodies(JsonMapper mapper) {
		return (converters) -> converters.withJsonConverter(new RequestBodyJsonConverter(mapper));
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

	/**
	 * Tomcat's error report, for what it refuses itself, in the API's format. Ordered after Spring Boot's
	 * customizer, which adds Tomcat's HTML report valve: that one is replaced.
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReports() {
		return new JsonErrorReports();
	}

	static final class JsonErrorReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.addContextCustomizers((context) -> {
				Host host = (Host) context.getParent();
				for (Valve valve : host.getPipeline().getValves()) {
					if (valve instanceof ErrorReportValve) {
						host.getPipeline().removeValve(valve);
					}
				}
				host.getPipeline().addValve(new ApiErrorReportValve());
				if (host instanceof StandardHost standard) {
					// else the host adds its own HTML report valve when it starts
					standard.setErrorReportValveClass(ApiErrorReportValve.class.getName());
				}
			});
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

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

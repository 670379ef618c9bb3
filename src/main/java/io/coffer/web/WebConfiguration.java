package io.coffer.web;

import java.util.List;

import io.coffer.catalog.TokenRepository;
import io.coffer.system.AdminToken;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
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

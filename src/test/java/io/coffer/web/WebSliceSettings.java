package io.coffer.web;

import io.coffer.system.SecurityProperties;
import io.coffer.system.ServiceProperties;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.TestConfiguration;

/**
 * What a {@code @WebMvcTest} of Coffer's controllers needs besides them: the settings the web layer
 * reads, at their defaults (the slice does not scan for them), and Spring Security, with which the API's
 * own filter chain ({@link WebConfiguration}) is built.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties({ ServiceProperties.class, SecurityProperties.class, ApiProperties.class })
@ImportAutoConfiguration({ SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class,
		SecurityFilterAutoConfiguration.class })
public class WebSliceSettings {

}

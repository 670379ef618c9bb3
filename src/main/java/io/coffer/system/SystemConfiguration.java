package io.coffer.system;

import java.time.Clock;

import io.coffer.backup.RedisConnections;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SystemConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	RedisConnections redisConnections() {
		return new RedisConnections();
	}

}

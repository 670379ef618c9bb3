package io.coffer.redis;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

	@Bean
	RedisConnections redisConnections(TlsTrust trust) {
		return new RedisConnections().withTls(trust::clientSocketFactory);
	}

}

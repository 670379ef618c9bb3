package io.coffer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class CofferApplication {

	public static void main(String[] args) {
		SpringApplication.run(CofferApplication.class, args);
	}

}

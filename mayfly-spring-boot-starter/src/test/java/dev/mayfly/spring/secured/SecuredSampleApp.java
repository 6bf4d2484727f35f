package dev.mayfly.spring.secured;

import dev.mayfly.spring.sample.SampleApp;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The sample app with Spring Security as apps set it up: its own pages open, {@code /mayfly/**} for
 * logged-in users (HTTP basic here), CSRF protection on (Spring's default), two users of which only
 * one has the role the dashboard asks for.
 */
@SpringBootApplication(scanBasePackageClasses = SampleApp.class)
public class SecuredSampleApp {
  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(
            a -> a.requestMatchers("/mayfly/**").authenticated().anyRequest().permitAll())
        .formLogin(Customizer.withDefaults())
        .httpBasic(Customizer.withDefaults());
    return http.build();
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("ops").password("{noop}ops-pw").roles("OPS").build(),
        User.withUsername("viewer").password("{noop}viewer-pw").roles("VIEWER").build());
  }
}

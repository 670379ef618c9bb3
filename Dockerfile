FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY schedules schedules
COPY plans.yml plans.yml
COPY engines.yml engines.yml
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# the process driver of provisioning runs redis-server, sentinels and HAProxy beside the service;
# the restore drills start scratch redis-server processes; archives are compressed through ISA-L
# (libisal2), libdeflate when it is missing
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-server haproxy libisal2 libdeflate0 \
    && rm -rf /var/lib/apt/lists/*
ENV PATH="${PATH}:/usr/sbin"
WORKDIR /opt/coffer
COPY --from=build /src/target/coffer.jar coffer.jar
COPY schedules schedules
EXPOSE 8080
COPY scripts/jvm-options /opt/coffer/jvm-options
ENTRYPOINT ["/bin/sh", "-c", "exec java $(/opt/coffer/jvm-options) -jar /opt/coffer/coffer.jar \"$@\"", "coffer"]

/**
 * Redis-backed state shared by replicas: the replay cache of assertion and DPoP proof verifiers.
 */
module dev.clientauth.redis {
    requires transitive dev.clientauth.jwt;
    requires transitive lettuce.core;

    exports dev.clientauth.redis;
}

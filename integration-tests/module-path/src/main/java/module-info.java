/** An application module that uses every clientauth library artifact by its module name. */
module dev.clientauth.moduletest {
    requires dev.clientauth.core;
    requires dev.clientauth.keys;
    requires dev.clientauth.mtls;
    requires dev.clientauth.jwt;
    requires dev.clientauth.dpop;
    requires dev.clientauth.okhttp;
    requires dev.clientauth.httpclient5;
    requires dev.clientauth.micrometer;
    requires dev.clientauth.redis;
    requires dev.clientauth.keyset.jdbc;
}

/** Apache HttpClient 5 integration: a token-request transport and the classic and async API adapters. */
module dev.clientauth.httpclient5 {
    requires transitive dev.clientauth.core;
    requires transitive org.apache.httpcomponents.client5.httpclient5;
    requires transitive org.apache.httpcomponents.core5.httpcore5;
    // HttpClient 5 is an automatic module and uses jdk.net.Sockets, which an application on the module path
    // would otherwise not resolve (NoClassDefFoundError in its connection operator)
    requires jdk.net;

    exports dev.clientauth.httpclient5;
}

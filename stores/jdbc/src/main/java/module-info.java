/**
 * A rotating client key set shared by replicas in one row of a JDBC database, changed by
 * compare-and-set on a version column.
 */
module dev.clientauth.keyset.jdbc {
    requires transitive dev.clientauth.jwt;
    requires transitive java.sql;

    exports dev.clientauth.keyset.jdbc;
}

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;

/**
 * DuckDbQuery - runs SQL statements (the arguments, in order) on an in-memory DuckDB and prints each result as
 * tab-separated lines with a header: duckdb-check.sh's stand-in for the DuckDB CLI, which no registry here serves.
 * Run with the Java source launcher: java -cp duckdb_jdbc.jar DuckDbQuery.java "SELECT ..." ...
 */
public final class DuckDbQuery {
  public static void main(String[] args) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
      for (String sql : args) {
        System.out.println("-- " + sql.replaceAll("\\s+", " ").trim());
        if (!st.execute(sql)) {
          continue;
        }
        try (ResultSet rs = st.getResultSet()) {
          ResultSetMetaData md = rs.getMetaData();
          StringBuilder header = new StringBuilder();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            header.append(i > 1 ? "\t" : "").append(md.getColumnLabel(i));
          }
          System.out.println(header);
          while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              row.append(i > 1 ? "\t" : "").append(rs.getString(i));
            }
            System.out.println(row);
          }
        }
      }
    }
  }
}

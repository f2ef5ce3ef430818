import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** Deletes the bench's throwaway topics (names starting with the given prefix). Args: bootstrap prefix */
public class DeleteTopics {
  public static void main(String[] args) throws Exception {
    try (Admin a = Admin.create(Map.of("bootstrap.servers", args[0]))) {
      var names = a.listTopics().names().get().stream().filter(n -> n.startsWith(args[1])).toList();
      a.deleteTopics(names).all().get();
      System.err.println("deleted " + names);
    }
  }
}

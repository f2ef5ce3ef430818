package io.vectory.app;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** Removing what an IT made on the shared stack. */
public final class StackCleanUp {

  private StackCleanUp() {}

  /**
   * Deletes consumer groups, each once its members have left (a closed Streams app or a stopped connector task
   * stays a member a while): retried every 0.5 s up to {@code attempts} times; what could not be deleted goes to
   * {@code problems}. A group that does not exist is fine.
   */
  public static void deleteGroups(Admin admin, List<String> groups, int attempts, List<String> problems) throws InterruptedException {
    for (String group : groups) {
      for (int attempt = 0; ; attempt++) {
        try {
          admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
          break;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          if (e.getCause() instanceof GroupIdNotFoundException) break;
          if (attempt >= attempts) {
            problems.add("delete consumer group " + group + ": " + (e.getCause() == null ? e : e.getCause()));
            break;
          }
          Thread.sleep(500);
        }
      }
    }
  }
}

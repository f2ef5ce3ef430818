import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a jar's pre-Java-6 classes (class file version below 50) into a class directory as version 52 with stack map
 * frames: same bytecode, a newer container. The build runs it on picocli (compiled for Java 5), whose classes the
 * JDK's AOT cache skips ("Old class has been linked"), so every command loaded and verified its ~230 classes from the
 * jar, about 0.1 s of a cold start. Run by app/pom.xml's aot-cache profile (JDK 25: the ClassFile API is final from 24).
 *
 * <p>Usage: {@code java UpgradeClassFiles.java JAR OUT_DIR}
 */
public final class UpgradeClassFiles {
  public static void main(String[] args) throws IOException {
    if (args.length != 2) throw new IllegalArgumentException("usage: java UpgradeClassFiles.java JAR OUT_DIR");
    Path jar = Path.of(args[0]);
    Path out = Path.of(args[1]);
    // Stack map frames need the common supertypes of the jar's own classes: resolved from the jar, then the JDK's.
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        FileSystem zip = FileSystems.newFileSystem(jar)) {
      ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
          ClassHierarchyResolver.ofResourceParsing(loader).orElse(ClassHierarchyResolver.defaultResolver())));
      // Rebuilding each method body (rather than copying it) is what makes the API compute the frames.
      ClassTransform upgrade = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
          .andThen((builder, element) -> builder.with(element instanceof ClassFileVersion ? ClassFileVersion.of(52, 0) : element));
      List<Path> classes;
      try (var walk = Files.walk(zip.getPath("/"))) {
        classes = walk.filter(p -> p.toString().endsWith(".class") && !p.toString().startsWith("/META-INF/")).toList();
      }
      int upgraded = 0;
      for (Path p : classes) {
        ClassModel model = cf.parse(Files.readAllBytes(p));
        if (model.majorVersion() >= 50) continue;
        Path target = out.resolve(p.toString().substring(1));
        Files.createDirectories(target.getParent());
        Files.write(target, cf.transformClass(model, upgrade));
        upgraded++;
      }
      System.out.println("UpgradeClassFiles: " + upgraded + " of " + classes.size() + " classes of " + jar.getFileName()
          + " written as class file 52 to " + out);
    }
  }
}

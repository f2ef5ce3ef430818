package io.vectory.schemas;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How event values are encoded on the wire. The embedded default (no registry) uses Avro
 * single-object encoding with the project's own schemas; with a schema registry, the Confluent wire
 * format (magic 0, 4-byte schema id, Avro binary).
 */
public interface EventSerdes {

  /** Class name of a {@code Serializer} to use instead of the built-in one, e.g. Confluent's KafkaAvroSerializer. */
  String VALUE_SERIALIZER = "value.serializer";
  /** Class name of a {@code Deserializer} to use instead of the built-in one. */
  String VALUE_DESERIALIZER = "value.deserializer";
  /** Register schemas on first use (default true); false only looks them up. */
  String AUTO_REGISTER = "auto.register.schemas";

  <V extends SpecificRecord> Serde<V> forValue(TopicSpec<V> topic);

  /**
   * Checks, before anything is consumed, that these serdes can work: the registry answers (single-object encoding
   * needs nothing). Throws {@link SerdeMisconfiguredException} or {@link RegistryClient.RegistryException} saying why.
   */
  default void check() {}

  /** Avro single-object encoding; needs no registry. */
  static EventSerdes singleObject() {
    return SingleObjectSerde::new;
  }

  /**
   * The Confluent wire format against a schema registry speaking Confluent's REST API. Settings use
   * Confluent's names ({@code schema.registry.url}, {@code basic.auth.user.info},
   * {@code schema.registry.ssl.truststore.location}, ... see {@link RegistryClient});
   * {@code value.serializer}/{@code value.deserializer} name classes to use in place of the built-in
   * ones (configured with the same map), so Confluent's {@code KafkaAvroSerializer} can be plugged in.
   */
  static EventSerdes registry(Map<String, ?> config) {
    Map<String, Object> conf = new HashMap<>(config);
    RegistryClient client = new RegistryClient(conf);
    boolean autoRegister = Boolean.parseBoolean(String.valueOf(conf.getOrDefault(AUTO_REGISTER, "true")));
    return new EventSerdes() {
      @Override
      public void check() {
        client.ping();
      }

      @Override
      public <V extends SpecificRecord> Serde<V> forValue(TopicSpec<V> topic) {
        RegistrySerde<V> builtIn = new RegistrySerde<>(topic, client, autoRegister);
        Serializer<V> ser = conf.containsKey(VALUE_SERIALIZER) ? plugged(conf, VALUE_SERIALIZER, Serializer.class) : builtIn.serializer();
        Deserializer<V> de = conf.containsKey(VALUE_DESERIALIZER) ? plugged(conf, VALUE_DESERIALIZER, Deserializer.class) : builtIn.deserializer();
        return Serdes.serdeFrom(ser, de);
      }
    };
  }

  /** The registry encoding when {@code schema.registry.url} is set, else single-object encoding. */
  static EventSerdes fromConfig(Map<String, ?> config) {
    Object url = config.get(RegistryClient.URL);
    return url == null || url.toString().isBlank() ? singleObject() : registry(config);
  }

  @SuppressWarnings("unchecked")
  private static <T> T plugged(Map<String, Object> conf, String key, Class<?> kind) {
    Object v = conf.get(key);
    try {
      Object instance = v instanceof Class<?> c ? c.getDeclaredConstructor().newInstance()
          : kind.isInstance(v) ? v : Class.forName(v.toString(), true, Thread.currentThread().getContextClassLoader()).getDeclaredConstructor().newInstance();
      if (!kind.isInstance(instance)) throw new IllegalArgumentException(v + " is not a " + kind.getName());
      if (instance instanceof Serializer<?> s) s.configure(conf, false);
      if (instance instanceof Deserializer<?> d) d.configure(conf, false);
      return (T) instance;
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("setting '" + key + "': cannot create " + v + ": " + e, e);
    }
  }
}

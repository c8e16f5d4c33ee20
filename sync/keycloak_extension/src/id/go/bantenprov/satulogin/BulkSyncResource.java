package id.go.bantenprov.satulogin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.connections.jpa.support.EntityManagers;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.GroupModel;
import org.keycloak.models.GroupProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.cache.CacheRealmProvider;
import org.keycloak.models.jpa.entities.RoleAttributeEntity;
import org.keycloak.models.jpa.entities.RoleEntity;
import org.keycloak.models.jpa.entities.UserAttributeEntity;
import org.keycloak.models.jpa.entities.UserEntity;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * Bulk creation for the HR sync: {@code /admin/realms/{realm}/satulogin-sync}.
 *
 * <p>Why it exists: through the Admin REST API every new user, group or role is its own request
 * and its own transaction, and {@code partialImport} resolves each user's group by walking the
 * tree and flushes after every user. Here a request carries hundreds of objects that refer to
 * groups and roles by id, and they are written through Keycloak's own model API (so its caches,
 * constraints and default roles behave exactly as for any other new object) in transactions of
 * {@code chunk} objects; groups alone go past the realm cache, which is then cleared once (see
 * {@link #groupStore}).
 *
 * <p>What it never does: change or delete anything that exists. An object that exists already
 * is answered {@code SKIPPED} (a rerun after a crash converges); one that fails is answered
 * {@code FAILED} with the reason, and the rest of its transaction is redone without it.
 *
 * <p>Who may call it: the same admins that may create users ({@code manage-users}); groups and
 * roles need {@code manage-users} and {@code manage-realm} as through the Admin REST API.
 */
public class BulkSyncResource {

    static final int VERSION = 1;
    /**
     * Attribute names Keycloak keeps as user fields, not attribute rows: written through the
     * model. Every other attribute of a new user (or role) is persisted as its row directly,
     * because the model's setAttribute first deletes the attribute's rows with a query of its
     * own: a database round trip per attribute that a new object never needs.
     */
    private static final Set<String> USER_FIELDS = Set.of("username", "email", "firstName", "lastName");
    private static final int DEFAULT_CHUNK = 100;
    private static final int MAX_CHUNK = 1000;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;

    BulkSyncResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth,
                     AdminEventBuilder adminEvent) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent;
    }

    // --- request and answer shapes ---------------------------------------------------------------

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class NewUser {
        public String username;
        public String firstName;
        public String lastName;
        public String email;
        public Boolean enabled;
        public Boolean emailVerified;
        public Map<String, List<String>> attributes;
        public List<String> requiredActions;
        public List<String> groupIds;
        public List<String> realmRoleIds;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class UsersRequest {
        public List<NewUser> users;
        public Integer chunk;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class NewGroup {
        public String name;
        public String parentId;
        public Map<String, List<String>> attributes;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class GroupsRequest {
        public List<NewGroup> groups;
        public Integer chunk;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class NewRole {
        public String name;
        public String description;
        public Map<String, List<String>> attributes;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class RolesRequest {
        public List<NewRole> roles;
        public Integer chunk;
    }

    /** One object's outcome, in request order. */
    public static class Result {
        public String name;
        public String id;
        public String action; // CREATED, SKIPPED, FAILED
        public String error;

        Result(String name) {
            this.name = name;
        }
    }

    public static class Results {
        public List<Result> results;
        public int created;
        public int skipped;
        public int failed;

        Results(List<Result> results) {
            this.results = results;
            for (Result r : results) {
                switch (r.action == null ? "FAILED" : r.action) {
                    case "CREATED" -> created++;
                    case "SKIPPED" -> skipped++;
                    default -> failed++;
                }
            }
        }
    }

    // --- endpoints -------------------------------------------------------------------------------

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> info() {
        auth.users().requireView();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", VERSION);
        out.put("operations", List.of("users", "groups", "roles"));
        return out;
    }

    @POST
    @Path("users")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Results users(UsersRequest request) {
        auth.users().requireManage();
        List<NewUser> items = request == null || request.users == null ? List.of() : request.users;
        List<Result> results = new ArrayList<>(items.size());
        List<Integer> todo = new ArrayList<>();
        Set<String> existing = existingUsernames(items);
        Map<String, String> emailOwners = realm.isDuplicateEmailsAllowed() ? Map.of() : emailOwners(items);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            NewUser u = items.get(i);
            Result r = new Result(u == null ? null : u.username);
            results.add(r);
            String problem = checkUser(u, seen, i);
            if (problem != null) {
                fail(r, problem);
            } else if (existing.contains(u.username.toLowerCase())) {
                r.action = "SKIPPED";
                r.error = "user already exists";
            } else if (u.email != null && !u.email.isBlank() && emailOwners.containsKey(u.email.toLowerCase())) {
                fail(r, "e-mail " + u.email + " is already used by user " + emailOwners.get(u.email.toLowerCase()));
            } else {
                todo.add(i);
            }
        }
        inChunks(todo, chunk(request == null ? null : request.chunk), results,
                (s, i) -> createUser(s, items.get(i), results.get(i)));
        Results out = new Results(results);
        event(ResourceType.USER, "users", out);
        return out;
    }

    @POST
    @Path("groups")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Results groups(GroupsRequest request) {
        auth.groups().requireManage();
        List<NewGroup> items = request == null || request.groups == null ? List.of() : request.groups;
        List<Result> results = new ArrayList<>(items.size());
        List<Integer> todo = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Map<String, GroupModel>> siblings = new HashMap<>(); // parent id -> name -> child
        for (int i = 0; i < items.size(); i++) {
            NewGroup g = items.get(i);
            Result r = new Result(g == null ? null : g.name);
            results.add(r);
            if (g == null || g.name == null || g.name.isBlank()) {
                fail(r, "group #" + i + ": name is missing");
                continue;
            }
            Integer other = seen.putIfAbsent(g.parentId + "/" + g.name, i);
            if (other != null) {
                fail(r, "group " + g.name + " is also group #" + other + " in this request (same parent)");
                continue;
            }
            GroupModel sibling = siblings.computeIfAbsent(g.parentId, this::children).get(g.name);
            if (sibling == null) {
                todo.add(i);
            } else if (sameAttributes(sibling.getAttributes(), g.attributes)) {
                // Made by an earlier request whose answer was lost (a crash or a timeout).
                r.action = "SKIPPED";
                r.error = "group already exists";
                r.id = sibling.getId();
            } else {
                fail(r, "a group named " + g.name + " already exists there and is not this one "
                        + "(its attributes differ); rename or remove it");
            }
        }
        inChunks(todo, chunk(request == null ? null : request.chunk), results,
                (s, i) -> createGroup(s, items.get(i), results.get(i)));
        Results out = new Results(results);
        CacheRealmProvider cache = session.getProvider(CacheRealmProvider.class);
        if (out.created > 0 && cache != null) {
            // The groups were written past Keycloak's realm cache (see groupStore), so drop it
            // once, as the admin console's "Clear realm cache" does; the next reads reload it.
            cache.clear();
        }
        event(ResourceType.GROUP, "groups", out);
        return out;
    }

    @POST
    @Path("roles")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Results roles(RolesRequest request) {
        auth.roles().requireManage(realm);
        List<NewRole> items = request == null || request.roles == null ? List.of() : request.roles;
        List<Result> results = new ArrayList<>(items.size());
        Set<String> seenRoles = new HashSet<>();
        Map<String, String> existing = new HashMap<>(); // one read, not one per role
        session.roles().getRealmRolesStream(realm).forEach(x -> existing.put(x.getName(), x.getId()));
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            NewRole role = items.get(i);
            Result r = new Result(role == null ? null : role.name);
            results.add(r);
            if (role == null || role.name == null || role.name.isBlank()) {
                fail(r, "role #" + i + ": name is missing");
            } else if (!seenRoles.add(role.name)) {
                fail(r, "role " + role.name + " appears twice in this request");
            } else if (existing.containsKey(role.name)) {
                // Roles are keyed on their name: the caller decides whether the existing one is its.
                r.action = "SKIPPED";
                r.error = "role already exists";
                r.id = existing.get(role.name);
            } else {
                todo.add(i);
            }
        }
        inChunks(todo, chunk(request == null ? null : request.chunk), results,
                (s, i) -> createRole(s, items.get(i), results.get(i)));
        Results out = new Results(results);
        event(ResourceType.REALM_ROLE, "roles", out);
        return out;
    }

    // --- writers (each runs inside a chunk's own transaction) ------------------------------------

    private void createUser(KeycloakSession s, NewUser u, Result r) {
        RealmModel rm = s.getContext().getRealm();
        List<GroupModel> groups = new ArrayList<>();
        for (String gid : nullSafe(u.groupIds)) {
            GroupModel g = s.groups().getGroupById(rm, gid);
            if (g == null) {
                throw new BulkException("group " + gid + " does not exist");
            }
            groups.add(g);
        }
        List<RoleModel> roles = new ArrayList<>();
        for (String rid : nullSafe(u.realmRoleIds)) {
            RoleModel role = s.roles().getRoleById(rm, rid);
            if (role == null || role.isClientRole()) {
                throw new BulkException("realm role " + rid + " does not exist");
            }
            roles.add(role);
        }
        // As POST /users does: default roles and default groups come with the account; the
        // required actions are the caller's (a new account's are chosen by the sync's config).
        UserModel user = s.users().addUser(rm, null, u.username, true, false);
        user.setEnabled(u.enabled == null || u.enabled);
        user.setFirstName(u.firstName);
        user.setLastName(u.lastName);
        if (u.email != null && !u.email.isBlank()) {
            user.setEmail(u.email);
        }
        user.setEmailVerified(Boolean.TRUE.equals(u.emailVerified));
        if (u.attributes != null) {
            EntityManager em = em(s);
            UserEntity entity = em.find(UserEntity.class, user.getId());
            for (Map.Entry<String, List<String>> a : u.attributes.entrySet()) {
                if (entity == null || USER_FIELDS.contains(a.getKey())) {
                    user.setAttribute(a.getKey(), nullSafe(a.getValue()));
                    continue;
                }
                for (String value : nullSafe(a.getValue())) {
                    if (value != null) {
                        UserAttributeEntity row = new UserAttributeEntity();
                        row.setId(KeycloakModelUtils.generateId());
                        row.setName(a.getKey());
                        row.setValue(value);
                        row.setUser(entity);
                        em.persist(row);
                        entity.getAttributes().add(row);
                    }
                }
            }
        }
        for (String action : nullSafe(u.requiredActions)) {
            user.addRequiredAction(action);
        }
        for (GroupModel g : groups) {
            user.joinGroup(g);
        }
        for (RoleModel role : roles) {
            user.grantRole(role);
        }
        r.id = user.getId();
        r.action = "CREATED";
    }

    private void createGroup(KeycloakSession s, NewGroup g, Result r) {
        RealmModel rm = s.getContext().getRealm();
        GroupProvider store = groupStore(s);
        GroupModel parent = null;
        if (g.parentId != null) {
            parent = store.getGroupById(rm, g.parentId);
            if (parent == null) {
                throw new BulkException("parent group " + g.parentId + " does not exist");
            }
        }
        GroupModel group = store.createGroup(rm, null, g.name, parent);
        if (g.attributes != null) {
            for (Map.Entry<String, List<String>> a : g.attributes.entrySet()) {
                group.setAttribute(a.getKey(), nullSafe(a.getValue()));
            }
        }
        r.id = group.getId();
        r.action = "CREATED";
    }

    /**
     * Where new groups are written: the JPA store itself, past Keycloak's realm cache. Through
     * the cache, every new group scans the whole cache twice for queries to invalidate (and twice
     * more for its parent), so creating a unit tree cost the square of its size: 1,050 groups
     * took 8-11 s. The caller clears the cache once instead.
     */
    private static GroupProvider groupStore(KeycloakSession s) {
        GroupProvider jpa = s.getProvider(GroupProvider.class, "jpa");
        return jpa != null ? jpa : s.groups();
    }

    private void createRole(KeycloakSession s, NewRole role, Result r) {
        RealmModel rm = s.getContext().getRealm();
        RoleModel model = s.roles().addRealmRole(rm, role.name);
        model.setDescription(role.description);
        if (role.attributes != null) {
            EntityManager em = em(s);
            RoleEntity entity = em.find(RoleEntity.class, model.getId());
            for (Map.Entry<String, List<String>> a : role.attributes.entrySet()) {
                if (entity == null) {
                    model.setAttribute(a.getKey(), nullSafe(a.getValue()));
                    continue;
                }
                for (String value : nullSafe(a.getValue())) {
                    if (value != null) {
                        RoleAttributeEntity row = new RoleAttributeEntity();
                        row.setId(KeycloakModelUtils.generateId());
                        row.setName(a.getKey());
                        row.setValue(value);
                        row.setRole(entity);
                        em.persist(row);
                        entity.getAttributes().add(row);
                    }
                }
            }
        }
        r.id = model.getId();
        r.action = "CREATED";
    }

    // --- transactions ----------------------------------------------------------------------------

    /**
     * Writes {@code todo} in transactions of {@code chunk}. A chunk that fails is rolled back and
     * its objects are written one per transaction, so a bad object fails alone.
     */
    private void inChunks(List<Integer> todo, int chunk, List<Result> results,
                          BiConsumer<KeycloakSession, Integer> write) {
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        String realmId = realm.getId();
        for (int start = 0; start < todo.size(); start += chunk) {
            List<Integer> part = todo.subList(start, Math.min(todo.size(), start + chunk));
            try {
                KeycloakModelUtils.runJobInTransaction(factory, s -> {
                    s.getContext().setRealm(s.realms().getRealm(realmId));
                    // Keycloak's own batch mode (as its realm import uses): the JPA layer stops
                    // flushing after every write and flushes once at the end. Without it a
                    // flush dirty-checks every entity the transaction holds, so a chunk costs
                    // the square of its size (100 users of 10 attributes: 201 users/s).
                    EntityManagers.runInBatch(s, () -> {
                        for (Integer i : part) {
                            write.accept(s, i);
                        }
                    }, true);
                });
            } catch (RuntimeException chunkFailed) {
                for (Integer i : part) {
                    Result r = results.get(i);
                    r.id = null;
                    r.action = null;
                    try {
                        KeycloakModelUtils.runJobInTransaction(factory, s -> {
                            s.getContext().setRealm(s.realms().getRealm(realmId));
                            write.accept(s, i);
                        });
                    } catch (RuntimeException e) {
                        r.id = null;
                        fail(r, reason(e));
                    }
                }
            }
        }
    }

    // --- checks and helpers ----------------------------------------------------------------------

    /** The children of a group (or the top-level groups, for null) by name: one read per parent. */
    private Map<String, GroupModel> children(String parentId) {
        Map<String, GroupModel> out = new HashMap<>();
        if (parentId == null) {
            session.groups().getTopLevelGroupsStream(realm).forEach(x -> out.put(x.getName(), x));
            return out;
        }
        GroupModel parent = session.groups().getGroupById(realm, parentId);
        if (parent != null) { // else the write answers "parent group ... does not exist"
            parent.getSubGroupsStream().forEach(x -> out.put(x.getName(), x));
        }
        return out;
    }

    private static boolean sameAttributes(Map<String, List<String>> have, Map<String, List<String>> want) {
        if (want == null || want.isEmpty()) {
            return false; // nothing tells it apart from a group somebody else made
        }
        for (Map.Entry<String, List<String>> a : want.entrySet()) {
            if (!nullSafe(a.getValue()).equals(have.getOrDefault(a.getKey(), List.of()))) {
                return false;
            }
        }
        return true;
    }

    /** A request-level problem with one user, or null; {@code seen} remembers usernames and e-mails. */
    private static String checkUser(NewUser u, Map<String, Integer> seen, int index) {
        if (u == null || u.username == null || u.username.isBlank()) {
            return "user #" + index + ": username is missing";
        }
        Integer twin = seen.putIfAbsent("username:" + u.username.toLowerCase(), index);
        if (twin != null) {
            return "username " + u.username + " is also user #" + twin + " in this request";
        }
        if (u.email != null && !u.email.isBlank()) {
            Integer other = seen.putIfAbsent("email:" + u.email.toLowerCase(), index);
            if (other != null) {
                return "e-mail " + u.email + " is also given to user #" + other + " in this request";
            }
        }
        return null;
    }

    private Set<String> existingUsernames(List<NewUser> items) {
        List<String> names = new ArrayList<>();
        for (NewUser u : items) {
            if (u != null && u.username != null) {
                names.add(u.username.toLowerCase());
            }
        }
        Set<String> out = new HashSet<>();
        for (List<String> part : partition(names)) {
            out.addAll(em(session).createQuery(
                    "select u.username from UserEntity u where u.realmId = :realmId and u.username in :names",
                    String.class)
                    .setParameter("realmId", realm.getId())
                    .setParameter("names", part)
                    .getResultList());
        }
        return out;
    }

    private Map<String, String> emailOwners(List<NewUser> items) {
        List<String> emails = new ArrayList<>();
        for (NewUser u : items) {
            if (u != null && u.email != null && !u.email.isBlank()) {
                emails.add(u.email.toLowerCase());
            }
        }
        Map<String, String> out = new HashMap<>();
        for (List<String> part : partition(emails)) {
            for (Object[] row : em(session).createQuery(
                    "select u.email, u.username from UserEntity u where u.realmId = :realmId and u.email in :emails",
                    Object[].class)
                    .setParameter("realmId", realm.getId())
                    .setParameter("emails", part)
                    .getResultList()) {
                out.put((String) row[0], (String) row[1]);
            }
        }
        return out;
    }

    private static EntityManager em(KeycloakSession s) {
        return s.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    private static List<List<String>> partition(List<String> values) {
        List<List<String>> parts = new ArrayList<>();
        for (int i = 0; i < values.size(); i += 500) {
            parts.add(values.subList(i, Math.min(values.size(), i + 500)));
        }
        return parts;
    }

    private static int chunk(Integer requested) {
        if (requested == null || requested < 1) {
            return DEFAULT_CHUNK;
        }
        return Math.min(requested, MAX_CHUNK);
    }

    private static <T> List<T> nullSafe(List<T> values) {
        return values == null ? List.of() : values;
    }

    private static void fail(Result r, String error) {
        r.action = "FAILED";
        r.error = error;
    }

    private static String reason(Throwable e) {
        Throwable cur = e;
        String message = e.toString();
        while (cur != null) {
            if (cur instanceof BulkException) {
                return cur.getMessage();
            }
            if (cur instanceof org.keycloak.models.ModelDuplicateException) {
                return "already exists (duplicate): " + (cur.getMessage() == null ? "" : cur.getMessage());
            }
            if (cur.getMessage() != null) {
                message = cur.getClass().getSimpleName() + ": " + cur.getMessage();
            }
            cur = cur.getCause() == cur ? null : cur.getCause();
        }
        return message;
    }

    /** One admin event per request: what was asked and how it went, without the people's data. */
    private void event(ResourceType type, String path, Results out) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("created", out.created);
        summary.put("skipped", out.skipped);
        summary.put("failed", out.failed);
        adminEvent.operation(OperationType.CREATE)
                .resource(type)
                .resourcePath(BulkSyncResourceProviderFactory.ID, path)
                .representation(summary)
                .success();
    }

    /** A refusal this resource words itself (as opposed to one from Keycloak or the database). */
    static final class BulkException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BulkException(String message) {
            super(message);
        }
    }
}

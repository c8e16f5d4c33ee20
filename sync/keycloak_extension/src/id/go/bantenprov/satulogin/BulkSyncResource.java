package id.go.bantenprov.satulogin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import org.keycloak.Config;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.connections.jpa.support.EntityManagers;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.AdminRoles;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.GroupModel;
import org.keycloak.models.GroupProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.cache.CacheRealmProvider;
import org.keycloak.common.util.Time;
import org.keycloak.models.UserProvider;
import org.keycloak.models.jpa.GroupAdapter;
import org.keycloak.models.jpa.UserAdapter;
import org.keycloak.models.jpa.entities.GroupAttributeEntity;
import org.keycloak.models.jpa.entities.GroupEntity;
import org.keycloak.models.jpa.entities.RoleAttributeEntity;
import org.keycloak.models.jpa.entities.RoleEntity;
import org.keycloak.models.jpa.entities.UserAttributeEntity;
import org.keycloak.models.jpa.entities.UserEntity;
import org.keycloak.models.jpa.entities.UserGroupMembershipEntity;
import org.keycloak.models.jpa.entities.UserRoleMappingEntity;
import org.keycloak.representations.idm.MembershipType;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.ModelToRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.managers.BruteForceProtector;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * Bulk writes for the HR sync: {@code /admin/realms/{realm}/satulogin-sync}. {@code users},
 * {@code groups} and {@code roles} create; {@code user-updates} changes existing accounts
 * ({@link #userUpdates}).
 *
 * <p>Why it exists: through the Admin REST API every new user, group or role is its own request
 * and its own transaction, and {@code partialImport} resolves each user's group by walking the
 * tree and flushes after every user. Here a request carries hundreds of objects that refer to
 * groups and roles by id, written in transactions of {@code chunk} objects in Keycloak's batch
 * mode. Everything is new, so it is persisted as Keycloak's own JPA entities, written as
 * Keycloak's JPA store writes them (the account with its fields set through the model's setters,
 * e-mail rules included) but without the existence query or flush the model runs before each
 * row; the model's events (group join, role grant, group created) are fired the same way. The
 * caches hold nothing for objects that did not exist (the user cache never caches a miss);
 * groups and roles, which the realm cache lists, are followed by one clear of it
 * ({@link #clearRealmCacheIfCreated}). New rows get time-ordered ids ({@link OrderedIds}).
 *
 * <p>What it never does: delete anything, or change anything that exists through the creating
 * endpoints. An object that exists already is answered {@code SKIPPED} (a rerun after a crash
 * converges); one that fails is answered {@code FAILED} with the reason, and the rest of its
 * transaction is redone without it. {@code user-updates} writes only the fields, attributes,
 * memberships and grants each item names.
 *
 * <p>Who may call it: the same admins that may create users ({@code manage-users}); groups and
 * roles need {@code manage-users} and {@code manage-realm} as through the Admin REST API.
 *
 * <p>It is compiled against the Keycloak it runs in (see satulogin/keycloak_extension.py), so a
 * Keycloak whose entities changed shape fails the build rather than writing wrong rows; the
 * tests compare what it creates and changes with what the Admin REST API does, object by object.
 */
public class BulkSyncResource {

    static final int VERSION = 1;
    /** Attribute names Keycloak keeps as user fields, not attribute rows: set through the model. */
    private static final Set<String> USER_FIELDS = Set.of("username", "email", "firstName", "lastName");
    private static final int DEFAULT_CHUNK = 100;
    private static final int MAX_CHUNK = 1000;
    private static final int MAX_READ = 2000;
    private static final long LOGOUT_BUDGET_NANOS = 60_000_000_000L;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;
    /** The current transaction's look-ups (requests run their transactions one after another). */
    private Grants grants;

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

    /**
     * A change to an existing account, as the sync's plan decided it: only what is named is
     * written (null leaves a field alone; an empty attribute list removes the attribute).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class UserUpdate {
        public String id;
        public String username; // the account the caller means: checked against the id
        public String firstName;
        public String lastName;
        public String email; // "" clears it
        public Boolean emailVerified;
        public Boolean enabled;
        public Map<String, List<String>> attributes;
        public List<String> leaveGroupIds;
        public List<String> joinGroupIds;
        public List<String> revokeRealmRoleIds;
        public List<String> grantRealmRoleIds;
        // A leaver: end the account's sessions as POST /users/{id}/logout does. Its not-before
        // time is written in the change's own transaction (with the disable), so no token
        // issued before is honoured from the commit on; the sessions are then ended at once.
        public Boolean logout;

        /** Every role the change grants or takes away. */
        List<String> roleIds() {
            List<String> out = new ArrayList<>(nullSafe(grantRealmRoleIds));
            out.addAll(nullSafe(revokeRealmRoleIds));
            return out;
        }

        /** Every group the change joins or leaves. */
        List<String> groupIds() {
            List<String> out = new ArrayList<>(nullSafe(joinGroupIds));
            out.addAll(nullSafe(leaveGroupIds));
            return out;
        }
    }

    /** What {@code users-read} is asked for; see {@link #usersRead}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class UsersReadRequest {
        public List<String> usernames;
        public List<String> ids;
        public List<String> membershipOf; // user ids whose groups and realm roles are wanted too
        public List<String> emails;
    }

    public static class UsersReadAnswer {
        public List<UserRepresentation> users = new ArrayList<>();
        public Map<String, List<String>> groupIds = new LinkedHashMap<>();
        public Map<String, List<String>> realmRoles = new LinkedHashMap<>();
        public Map<String, List<String>> emailOwners = new LinkedHashMap<>();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class UserUpdatesRequest {
        public List<UserUpdate> users;
        public Integer chunk;
    }

    /** One object's outcome, in request order. */
    public static class Result {
        public String name;
        public String id;
        public String action; // CREATED, UPDATED, SKIPPED, FAILED
        public String error;
        public Boolean loggedOut; // user-updates asked to log out: were the sessions ended?
        // This update turned the account from enabled to disabled (not in the answer: the admin
        // event lists these, so a sync run stopped before logging its answer can be told later).
        boolean disabled;

        Result(String name) {
            this.name = name;
        }
    }

    public static class Results {
        public List<Result> results;
        public int created;
        public int updated;
        public int skipped;
        public int failed;

        Results(List<Result> results) {
            this.results = results;
            for (Result r : results) {
                switch (r.action == null ? "FAILED" : r.action) {
                    case "CREATED" -> created++;
                    case "UPDATED" -> updated++;
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
        out.put("operations", List.of("users", "groups", "roles", "user-updates", "user-updates/logout",
                "users-read"));
        return out;
    }

    @POST
    @Path("users")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Results users(UsersRequest request) {
        auth.users().requireManage();
        refuseAdminRealm();
        List<NewUser> items = request == null || request.users == null ? List.of() : request.users;
        List<Result> results = new ArrayList<>(items.size());
        List<Integer> todo = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            NewUser u = items.get(i);
            Result r = new Result(u == null ? null : u.username);
            results.add(r);
            String problem = checkUser(u, seen, i);
            if (problem != null) {
                fail(r, problem);
            } else {
                todo.add(i);
            }
        }
        dropForbidden(todo, results, i -> nullSafe(items.get(i).realmRoleIds), i -> nullSafe(items.get(i).groupIds));
        // Optimistic: the caller sends only the accounts its plan found missing, so a chunk is
        // written without asking first whether its usernames or e-mails are taken (on H2 that
        // question scanned the realm's users once per request). The database's unique keys
        // refuse a taken one; that chunk is then redone one account at a time, asking first, so
        // the account answers SKIPPED (it exists: an earlier run's answer was lost) or FAILED
        // (its e-mail belongs to someone else) and the rest are created.
        return write(ResourceType.USER, "users", todo, request == null ? null : request.chunk, results,
                (s, i) -> createUser(s, items.get(i), results.get(i)),
                (s, i) -> createUserChecked(s, items.get(i), results.get(i)));
    }

    @POST
    @Path("groups")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Results groups(GroupsRequest request) {
        auth.groups().requireManage();
        refuseAdminRealm();
        List<NewGroup> items = request == null || request.groups == null ? List.of() : request.groups;
        List<Result> results = new ArrayList<>(items.size());
        List<Integer> todo = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, String> existing = existingGroups(items); // parent id + "/" + name -> id
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
            if (!settledGroup(session, realm, existing.get(parentKey(g.parentId) + "/" + g.name), g, r)) {
                todo.add(i);
            }
        }
        return write(ResourceType.GROUP, "groups", todo, request == null ? null : request.chunk, results,
                (s, i) -> createGroup(s, items.get(i), results.get(i)),
                (s, i) -> createGroupChecked(s, items.get(i), results.get(i)));
    }

    @POST
    @Path("roles")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Results roles(RolesRequest request) {
        auth.roles().requireManage(realm);
        refuseAdminRealm();
        List<NewRole> items = request == null || request.roles == null ? List.of() : request.roles;
        List<Result> results = new ArrayList<>(items.size());
        Set<String> seenRoles = new HashSet<>();
        Map<String, String> existing = realmRoleIds(em(session), null); // one read, not one per role
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            NewRole role = items.get(i);
            Result r = new Result(role == null ? null : role.name);
            results.add(r);
            if (role == null || role.name == null || role.name.isBlank()) {
                fail(r, "role #" + i + ": name is missing");
            } else if (!seenRoles.add(role.name)) {
                fail(r, "role " + role.name + " appears twice in this request");
            } else if (!settledRole(existing.get(role.name), r)) {
                todo.add(i);
            }
        }
        return write(ResourceType.REALM_ROLE, "roles", todo, request == null ? null : request.chunk, results,
                (s, i) -> createRole(s, items.get(i), results.get(i)),
                (s, i) -> createRoleChecked(s, items.get(i), results.get(i)));
    }

    /**
     * Many accounts read in one request, each as {@code GET /users} (not brief) shows it, the
     * fields and readable attributes of the user profile and the caller's access included, and
     * for {@code membershipOf} also what {@code GET /users/{id}/groups} (ids) and
     * {@code GET /users/{id}/role-mappings/realm} (names) list; {@code emailOwners} is what
     * {@code GET /users?email=..&exact=true} finds. An account the caller may not view is left
     * out, as the Admin REST API leaves it out of a listing. Only reads: the incremental sync
     * reads the few people a run considers with one request per 500 instead of one or three
     * each.
     */
    @POST
    @Path("users-read")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public UsersReadAnswer usersRead(UsersReadRequest request) {
        auth.users().requireQuery();
        UsersReadRequest q = request == null ? new UsersReadRequest() : request;
        int asked = nullSafe(q.usernames).size() + nullSafe(q.ids).size() + nullSafe(q.emails).size()
                + nullSafe(q.membershipOf).size();
        if (asked > MAX_READ) {
            throw new BadRequestException("at most " + MAX_READ + " usernames, ids, e-mails and membership ids per request");
        }
        // Only reads: no query needs the persistence context flushed before it. Left to
        // Hibernate's default, every look-up dirty-checks every entity the request has loaded,
        // so 500 accounts cost the square of 500 (2 s of CPU for one request; 0.3 s without).
        JpaConnectionProvider jpa = session.getProvider(JpaConnectionProvider.class);
        EntityManager em = jpa == null ? null : jpa.getEntityManager();
        FlushModeType flushMode = em == null ? null : em.getFlushMode();
        if (em != null) {
            em.setFlushMode(FlushModeType.COMMIT);
        }
        try {
            return read(q);
        } finally {
            if (em != null) {
                em.setFlushMode(flushMode);
            }
        }
    }

    private UsersReadAnswer read(UsersReadRequest q) {
        UsersReadAnswer out = new UsersReadAnswer();
        Map<String, UserModel> found = new LinkedHashMap<>();
        Set<String> byId = new HashSet<>();
        for (String username : nullSafe(q.usernames)) {
            if (username != null && !username.isBlank()) {
                visible(session.users().getUserByUsername(realm, username), found);
            }
        }
        for (String id : nullSafe(q.ids)) {
            if (id != null && !id.isBlank() && !found.containsKey(id)
                    && visible(session.users().getUserById(realm, id), found)) {
                byId.add(id);
            }
        }
        for (UserModel user : found.values()) {
            UserRepresentation rep = ModelToRepresentation.toRepresentation(session, user, false);
            // The access a listing shows, or the fuller one of GET /users/{id} for those asked by id.
            rep.setAccess(byId.contains(user.getId()) ? auth.users().getAccess(user)
                    : auth.users().getAccessForListing(user));
            out.users.add(rep);
        }
        for (String id : new LinkedHashSet<>(nullSafe(q.membershipOf))) {
            UserModel user = found.get(id);
            if (user != null) {
                // As GET /users/{id}/groups: only the groups the caller may view (FGAP).
                out.groupIds.put(id, user.getGroupsStream().filter(g -> auth.groups().canView(g))
                        .map(GroupModel::getId).toList());
                out.realmRoles.put(id, user.getRealmRoleMappingsStream().map(RoleModel::getName).toList());
            }
        }
        for (String email : new LinkedHashSet<>(nullSafe(q.emails))) {
            if (email == null || email.isBlank()) {
                continue;
            }
            out.emailOwners.put(email, session.users()
                    .searchForUserStream(realm, Map.of(UserModel.EMAIL, email, UserModel.EXACT, "true"))
                    .filter(auth.users()::canView)
                    .map(UserModel::getUsername)
                    .toList());
        }
        return out;
    }

    private boolean visible(UserModel user, Map<String, UserModel> found) {
        if (user != null && auth.users().canView(user)) {
            found.putIfAbsent(user.getId(), user);
            return true;
        }
        return false;
    }

    /**
     * Movers, renames, leavers, re-enables and adoptions: each account's change in one
     * transaction with the others of its chunk, through Keycloak's user model (so its cache is
     * told and its events fire), with no request per field, membership and grant as through the
     * Admin REST API. Like the bulk creation, it writes past Keycloak's user-profile validators:
     * the sync validates its rows against the same rules first, and a leaver must be disabled
     * even when their account holds a value those validators refuse today (a full PUT of the
     * account would be refused, and the person would keep access). A leaver's sessions end with
     * their change when the item asks ({@link UserUpdate#logout}).
     */
    @POST
    @Path("user-updates")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Results userUpdates(UserUpdatesRequest request) {
        auth.users().requireManage();
        refuseAdminRealm();
        List<UserUpdate> items = request == null || request.users == null ? List.of() : request.users;
        List<Result> results = new ArrayList<>(items.size());
        List<Integer> todo = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean userAdmin = userAdmin();
        for (int i = 0; i < items.size(); i++) {
            UserUpdate u = items.get(i);
            Result r = new Result(u == null ? null : u.username);
            results.add(r);
            if (u == null || u.id == null || u.id.isBlank() || u.username == null || u.username.isBlank()) {
                fail(r, "user update #" + i + ": id or username is missing");
                continue;
            }
            Integer twin = seen.putIfAbsent(u.id, i);
            if (twin != null) {
                fail(r, "user " + u.username + " is also user update #" + twin + " in this request");
                continue;
            }
            String denied = deniedUserUpdate(u, userAdmin);
            if (denied != null) {
                fail(r, denied);
                continue;
            }
            todo.add(i);
        }
        dropForbidden(todo, results, i -> items.get(i).roleIds(), i -> items.get(i).groupIds());
        // After the writes, also when a later chunk failed the request: the leavers written so
        // far lose their sessions now.
        return write(ResourceType.USER, "user-updates", todo, request == null ? null : request.chunk, results,
                (s, i) -> updateUser(s, items.get(i), results.get(i)),
                (s, i) -> updateUser(s, items.get(i), results.get(i)),
                () -> endSessions(items, results));
    }

    // --- writers (each runs inside a chunk's own transaction) ------------------------------------

    /**
     * Whether a group of this name already sits under the parent ({@code siblingId}): then it is
     * answered SKIPPED when it carries the attributes asked for (an earlier request whose answer
     * was lost made it) and FAILED when not (somebody else's group, never taken over).
     */
    private static boolean settledGroup(KeycloakSession s, RealmModel rm, String siblingId, NewGroup g,
                                        Result r) {
        GroupModel sibling = siblingId == null ? null : groupStore(s).getGroupById(rm, siblingId);
        if (sibling == null) {
            return false;
        }
        if (sameAttributes(sibling.getAttributes(), g.attributes)) {
            skip(r, sibling.getId(), "group already exists");
        } else {
            fail(r, "a group named " + g.name + " already exists there and is not this one "
                    + "(its attributes differ); rename or remove it");
        }
        return true;
    }

    /** A realm role of this name exists: SKIPPED with its id (roles are keyed on their name). */
    private static boolean settledRole(String existingId, Result r) {
        if (existingId == null) {
            return false;
        }
        skip(r, existingId, "role already exists");
        return true;
    }

    /** One group on its own, after a chunk failed (another writer may have made it meanwhile). */
    private void createGroupChecked(KeycloakSession s, NewGroup g, Result r) {
        RealmModel rm = s.getContext().getRealm();
        List<String> found = em(s).createQuery(
                "select g.id from GroupEntity g where g.realm = :realmId and g.parentId = :parent and g.name = :name",
                String.class)
                .setParameter("realmId", rm.getId())
                .setParameter("parent", parentKey(g.parentId))
                .setParameter("name", g.name)
                .getResultList();
        if (!settledGroup(s, rm, found.isEmpty() ? null : found.get(0), g, r)) {
            createGroup(s, g, r);
        }
    }

    /** One role on its own, after a chunk failed (another writer may have made it meanwhile). */
    private void createRoleChecked(KeycloakSession s, NewRole role, Result r) {
        if (!settledRole(realmRoleIds(em(s), role.name).get(role.name), r)) {
            createRole(s, role, r);
        }
    }

    /** One account on its own, after a chunk failed: exists already, e-mail taken, or created. */
    private void createUserChecked(KeycloakSession s, NewUser u, Result r) {
        RealmModel rm = s.getContext().getRealm();
        // Keycloak's own store only: through s.users() a look-up may reach a user federation
        // (LDAP) and import the account from there as a side effect.
        UserProvider local = s.getProvider(UserProvider.class, "jpa");
        UserProvider users = local != null ? local : s.users();
        UserModel existing = users.getUserByUsername(rm, u.username);
        if (existing != null) {
            skip(r, existing.getId(), "user already exists");
            return;
        }
        if (u.email != null && !u.email.isBlank() && !rm.isDuplicateEmailsAllowed()) {
            UserModel owner = users.getUserByEmail(rm, u.email);
            if (owner != null) {
                throw new BulkException("e-mail " + u.email + " is already used by user " + owner.getUsername());
            }
        }
        createUser(s, u, r);
    }

    private void createUser(KeycloakSession s, NewUser u, Result r) {
        RealmModel rm = s.getContext().getRealm();
        // What POST /users gives every account (the realm's default role and default groups),
        // then the caller's; each once. Resolved before anything is written, so an unknown id
        // fails this object alone.
        Grants known = grants(s);
        Map<String, GroupModel> groups = new LinkedHashMap<>();
        known.defaultGroups.forEach(g -> groups.put(g.getId(), g));
        for (String gid : nullSafe(u.groupIds)) {
            GroupModel g = known.group(gid);
            if (g == null) {
                throw new BulkException("group " + gid + " does not exist");
            }
            groups.put(gid, g);
        }
        Map<String, RoleModel> roles = new LinkedHashMap<>();
        if (known.defaultRole != null) {
            roles.put(known.defaultRole.getId(), known.defaultRole);
        }
        for (String rid : nullSafe(u.realmRoleIds)) {
            RoleModel role = known.role(rid);
            if (role == null || role.isClientRole()) {
                throw new BulkException("realm role " + rid + " does not exist");
            }
            roles.put(rid, role);
        }
        EntityManager em = em(s);
        if (s.getProvider(UserProvider.class, "jpa") == null) {
            // Not Keycloak's JPA store: the model API does it all.
            UserModel user = s.users().addUser(rm, OrderedIds.next(), u.username, false, false);
            setFields(user, u);
            addRequiredActions(user, u);
            if (u.attributes != null) {
                u.attributes.forEach((name, values) -> user.setAttribute(name, nullSafe(values)));
            }
            groups.values().forEach(user::joinGroup);
            roles.values().forEach(user::grantRole);
            r.id = user.getId();
            r.action = "CREATED";
            return;
        }
        // The account as Keycloak's JPA store creates it (JpaUserProvider.addUser), but with
        // its fields set before it is persisted: set afterwards, as the model does, each new
        // account is written twice (an insert, then an update of its e-mail indexes). The
        // user cache is not told: it holds nothing for an id or username that did not exist
        // (it never caches a miss). Default roles and groups come below, with the caller's.
        UserEntity entity = new UserEntity();
        entity.setId(OrderedIds.next());
        long now = Time.currentTimeMillis();
        entity.setCreatedTimestamp(now);
        entity.setLastModifiedTimestamp(now);
        entity.setUsername(u.username.toLowerCase());
        entity.setRealmId(rm.getId());
        UserModel user = new UserAdapter(s, rm, em, entity);
        setFields(user, u);
        em.persist(entity);
        addRequiredActions(user, u);
        // Rows of a brand-new account, persisted directly: the model's setAttribute,
        // joinGroup and grantRole each first ask the database whether the row exists (a
        // query per attribute, group and role that a new account never needs). The events
        // those methods fire are fired here the same way.
        Map<String, List<String>> attributes = new LinkedHashMap<>(u.attributes == null ? Map.of() : u.attributes);
        for (String field : USER_FIELDS) {
            List<String> values = attributes.remove(field);
            if (values != null) {
                user.setAttribute(field, values);
            }
        }
        eachValue(attributes, (name, value) -> {
            UserAttributeEntity row = new UserAttributeEntity();
            row.setId(OrderedIds.next());
            row.setName(name);
            row.setValue(value);
            row.setUser(entity);
            em.persist(row);
            entity.getAttributes().add(row);
        });
        for (GroupModel g : groups.values()) {
            UserGroupMembershipEntity membership = new UserGroupMembershipEntity();
            membership.setUser(entity);
            membership.setGroupId(g.getId());
            membership.setMembershipType(MembershipType.UNMANAGED);
            em.persist(membership);
            GroupModel.GroupMemberJoinEvent.fire(g, user, s);
        }
        for (RoleModel role : roles.values()) {
            UserRoleMappingEntity mapping = new UserRoleMappingEntity();
            mapping.setUser(entity);
            mapping.setRoleId(role.getId());
            em.persist(mapping);
            RoleModel.RoleGrantedEvent.fire(role, user, s);
        }
        r.id = user.getId();
        r.action = "CREATED";
    }

    private void updateUser(KeycloakSession s, UserUpdate u, Result r) {
        RealmModel rm = s.getContext().getRealm();
        // Through the user provider with its cache, which drops its copy of the account.
        UserModel user = s.users().getUserById(rm, u.id);
        if (user == null) {
            throw new BulkException("user " + u.username + " (" + u.id + ") does not exist");
        }
        if (!u.username.equalsIgnoreCase(user.getUsername())) {
            throw new BulkException("user id " + u.id + " belongs to " + user.getUsername() + ", not " + u.username);
        }
        // Resolved before anything is written: an unknown group or role fails this account alone.
        Grants known = grants(s);
        List<GroupModel> join = new ArrayList<>();
        for (String gid : nullSafe(u.joinGroupIds)) {
            GroupModel g = known.group(gid);
            if (g == null) {
                throw new BulkException("group " + gid + " does not exist");
            }
            join.add(g);
        }
        List<RoleModel> grant = new ArrayList<>();
        for (String rid : nullSafe(u.grantRealmRoleIds)) {
            RoleModel role = known.role(rid);
            if (role == null || role.isClientRole()) {
                throw new BulkException("realm role " + rid + " does not exist");
            }
            grant.add(role);
        }
        if (u.email != null && !u.email.isBlank() && !rm.isDuplicateEmailsAllowed()) {
            UserModel owner = s.users().getUserByEmail(rm, u.email);
            if (owner != null && !owner.getId().equals(user.getId())) {
                throw new BulkException("e-mail " + u.email + " is already used by user " + owner.getUsername());
            }
        }
        if (u.enabled != null) {
            if (u.enabled && !user.isEnabled()) {
                // As a PUT with enabled=true does: old login failures and a permanent lockout
                // are cleared, or the person would come back locked out.
                s.loginFailures().removeUserLoginFailure(rm, user.getId());
                BruteForceProtector protector = s.getProvider(BruteForceProtector.class);
                if (protector != null) {
                    protector.cleanUpPermanentLockout(s, rm, user);
                }
            }
            r.disabled = !u.enabled && user.isEnabled();
            user.setEnabled(u.enabled);
        }
        if (u.firstName != null) {
            user.setFirstName(u.firstName);
        }
        if (u.lastName != null) {
            user.setLastName(u.lastName);
        }
        if (u.email != null) {
            user.setEmail(u.email.isBlank() ? null : u.email);
        }
        if (u.emailVerified != null) {
            user.setEmailVerified(u.emailVerified);
        }
        if (u.attributes != null) {
            for (Map.Entry<String, List<String>> a : u.attributes.entrySet()) {
                if (USER_FIELDS.contains(a.getKey())) {
                    throw new BulkException("attribute " + a.getKey() + " is an account field: send it as one");
                }
                List<String> values = nullSafe(a.getValue()).stream().filter(v -> v != null).toList();
                if (values.isEmpty()) {
                    user.removeAttribute(a.getKey());
                } else {
                    user.setAttribute(a.getKey(), values);
                }
            }
        }
        for (String gid : nullSafe(u.leaveGroupIds)) {
            GroupModel g = known.group(gid);
            if (g != null) { // gone already: nothing to leave
                user.leaveGroup(g);
            }
        }
        join.forEach(user::joinGroup);
        for (String rid : nullSafe(u.revokeRealmRoleIds)) {
            RoleModel role = known.role(rid);
            if (role != null) {
                user.deleteRoleMapping(role);
            }
        }
        grant.forEach(user::grantRole);
        if (Boolean.TRUE.equals(u.logout)) {
            s.users().setNotBeforeForUser(rm, user, (int) Time.currentTimeSeconds());
        }
        r.id = user.getId();
        r.action = "UPDATED";
    }

    /**
     * The sessions of the written changes that asked for it are ended as
     * {@code POST /users/{id}/logout} ends them (each client told by its back-channel logout),
     * after the chunks' transactions, which wrote the disable and the not-before time. Each
     * account in a transaction of its own, so one that fails is answered {@code loggedOut:
     * false} with why and rolls back no other. Clients' back-channel endpoints may be slow:
     * past {@link #LOGOUT_BUDGET_NANOS} the rest are answered {@code loggedOut: null}, and the
     * caller logs them out itself, one request each, rather than this request outliving its
     * caller's patience (which would send the whole batch again).
     */
    private void endSessions(List<UserUpdate> items, List<Result> results) {
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        String realmId = realm.getId();
        var uri = session.getContext().getUri();
        var connection = session.getContext().getConnection();
        var headers = session.getContext().getHttpRequest().getHttpHeaders();
        long deadline = System.nanoTime() + LOGOUT_BUDGET_NANOS;
        for (int i = 0; i < items.size(); i++) {
            UserUpdate u = items.get(i);
            Result r = results.get(i);
            if (u == null || !Boolean.TRUE.equals(u.logout) || !"UPDATED".equals(r.action)) {
                continue;
            }
            if (System.nanoTime() > deadline) {
                continue; // loggedOut stays null: the caller logs this one out
            }
            try {
                KeycloakModelUtils.runJobInTransaction(factory, s -> {
                    RealmModel rm = s.realms().getRealm(realmId);
                    s.getContext().setRealm(rm);
                    UserModel user = s.users().getUserById(rm, r.id);
                    if (user == null) {
                        throw new BulkException("user " + r.id + " does not exist");
                    }
                    s.sessions().getUserSessionsStream(rm, user).toList()
                            .forEach(userSession -> AuthenticationManager.backchannelLogout(s, rm, userSession, uri,
                                    connection, headers, true));
                });
                r.loggedOut = true;
            } catch (RuntimeException e) {
                r.loggedOut = false;
                r.error = "sessions not ended: " + reason(e);
            }
        }
    }

    /**
     * The groups and roles of one transaction's new accounts, each looked up once: a chunk names
     * the realm's default role and groups for every account, and a few units and jabatan many
     * times over. Looked up per account, through the realm cache, that cost about as much as
     * persisting the rows themselves. Kept for the session (transaction) it was made in only:
     * the models belong to it.
     */
    private static final class Grants {
        final KeycloakSession session;
        final RealmModel realm;
        final List<GroupModel> defaultGroups;
        final RoleModel defaultRole;
        private final Map<String, GroupModel> groups = new HashMap<>();
        private final Map<String, RoleModel> roles = new HashMap<>();

        Grants(KeycloakSession session) {
            this.session = session;
            this.realm = session.getContext().getRealm();
            this.defaultGroups = realm.getDefaultGroupsStream().toList();
            this.defaultRole = realm.getDefaultRole();
        }

        GroupModel group(String id) {
            return groups.computeIfAbsent(id, k -> session.groups().getGroupById(realm, k));
        }

        RoleModel role(String id) {
            return roles.computeIfAbsent(id, k -> session.roles().getRoleById(realm, k));
        }
    }

    private Grants grants(KeycloakSession s) {
        if (grants == null || grants.session != s) {
            grants = new Grants(s);
        }
        return grants;
    }

    /** A new account's own fields, through the model's setters (e-mail rules included). */
    private static void setFields(UserModel user, NewUser u) {
        user.setEnabled(u.enabled == null || u.enabled);
        user.setFirstName(u.firstName);
        user.setLastName(u.lastName);
        if (u.email != null && !u.email.isBlank()) {
            user.setEmail(u.email);
        }
        user.setEmailVerified(Boolean.TRUE.equals(u.emailVerified));
    }

    /** The caller's alone: a new account's required actions are chosen by the sync's config. */
    private static void addRequiredActions(UserModel user, NewUser u) {
        for (String action : nullSafe(u.requiredActions)) {
            user.addRequiredAction(action);
        }
    }

    private void createGroup(KeycloakSession s, NewGroup g, Result r) {
        RealmModel rm = s.getContext().getRealm();
        EntityManager em = em(s);
        String parentId = GroupEntity.TOP_PARENT_ID;
        if (g.parentId != null) {
            GroupEntity parent = em.find(GroupEntity.class, g.parentId);
            if (parent == null || !rm.getId().equals(parent.getRealm())) {
                throw new BulkException("parent group " + g.parentId + " does not exist");
            }
            parentId = parent.getId();
        }
        // As Keycloak's JPA store creates a group, less its flush after every group (a flush
        // checks every object the transaction holds, so a chunk cost the square of its size).
        // Written past the realm cache, which the caller clears once (see groups()).
        GroupEntity entity = new GroupEntity();
        entity.setId(OrderedIds.next());
        entity.setName(g.name);
        entity.setRealm(rm.getId());
        entity.setParentId(parentId);
        entity.setType(GroupModel.Type.REALM.intValue());
        long now = Time.currentTimeMillis();
        entity.setCreatedTimestamp(now);
        entity.setLastModifiedTimestamp(now);
        em.persist(entity);
        eachValue(g.attributes, (name, value) -> {
            GroupAttributeEntity row = new GroupAttributeEntity();
            row.setId(OrderedIds.next());
            row.setName(name);
            row.setValue(value);
            row.setGroup(entity);
            em.persist(row);
            entity.getAttributes().add(row);
        });
        GroupModel.GroupCreatedEvent.fire(new GroupAdapter(s, rm, em, entity), s);
        r.id = entity.getId();
        r.action = "CREATED";
    }

    private void createRole(KeycloakSession s, NewRole role, Result r) {
        RealmModel rm = s.getContext().getRealm();
        EntityManager em = em(s);
        // As Keycloak's JPA store adds a realm role, less its flush after every role (see
        // createGroup); the caller has checked the name is free and clears the cache once.
        RoleEntity entity = new RoleEntity();
        entity.setId(OrderedIds.next());
        entity.setName(role.name);
        entity.setDescription(role.description);
        entity.setRealmId(rm.getId());
        em.persist(entity);
        eachValue(role.attributes, (name, value) -> {
            RoleAttributeEntity row = new RoleAttributeEntity();
            row.setId(OrderedIds.next());
            row.setName(name);
            row.setValue(value);
            row.setRole(entity);
            em.persist(row);
            entity.getAttributes().add(row);
        });
        r.id = entity.getId();
        r.action = "CREATED";
    }

    // --- permissions -----------------------------------------------------------------------------

    /**
     * The HR sync writes the realms of the province, never Keycloak's own admin realm: there a
     * realm role such as {@code admin} makes a server administrator.
     */
    private void refuseAdminRealm() {
        if (Config.getAdminRealm().equals(realm.getName())) {
            throw new BadRequestException("satulogin-sync does not write the " + realm.getName() + " realm");
        }
    }

    /**
     * Whether the caller may make this change to this account, as the Admin REST API asks for
     * each of its requests (UserResource, RoleMapperResource): manage the user, map their roles
     * when roles change, manage their group membership when groups change. Null when allowed, or
     * when the account does not exist (the writer answers that).
     */
    private String deniedUserUpdate(UserUpdate u, boolean userAdmin) {
        if (userAdmin) {
            return null; // Keycloak allows all three to a manage-users admin (see forbiddenGrants)
        }
        UserModel user = session.users().getUserById(realm, u.id);
        if (user == null) {
            return null;
        }
        if (!auth.users().canManage(user)) {
            return "not allowed to manage user " + user.getUsername();
        }
        boolean roles = !nullSafe(u.grantRealmRoleIds).isEmpty() || !nullSafe(u.revokeRealmRoleIds).isEmpty();
        if (roles && !auth.users().canMapRoles(user)) {
            return "not allowed to map the roles of user " + user.getUsername();
        }
        boolean groups = !nullSafe(u.joinGroupIds).isEmpty() || !nullSafe(u.leaveGroupIds).isEmpty();
        if (groups) {
            try {
                auth.users().requireManageGroupMembership(user);
            } catch (ForbiddenException e) {
                return "not allowed to manage the group membership of user " + user.getUsername();
            }
        }
        return null;
    }

    /**
     * The roles the caller may not grant or take away, and the groups they may not put people in
     * or take them out of, as the Admin REST API checks them (an admin role needs the caller to
     * hold it; fine-grained permissions apply; organization groups belong to the Organization
     * API): id to reason. Checked once per role and group, not once per person.
     */
    private Map<String, String> forbiddenGrants(Collection<String> roleIds, Collection<String> groupIds) {
        Map<String, String> out = new HashMap<>();
        // A shortcut, measured: asked per role, Keycloak walks the caller's composite roles each
        // time, and loading each role to ask loads its composites too (together 15-18% of an
        // initial sync's Keycloak CPU). Where fine-grained admin permissions are off and the
        // caller holds manage-users (userAdmin), Keycloak lets them manage every account, map
        // every realm role that is not an admin role and manage every group's members; a realm
        // role that is not composite cannot be an admin role outside the master realm (refused
        // above: there admin is a realm role). So one query finds the client and composite
        // roles, and only those are asked about.
        boolean userAdmin = userAdmin();
        Collection<String> ask = userAdmin ? clientOrCompositeRoles(roleIds) : roleIds;
        for (String id : ask) {
            RoleModel role = id == null ? null : session.roles().getRoleById(realm, id);
            if (role != null && !auth.roles().canMapRole(role)) {
                out.put(id, "not allowed to grant or remove role " + role.getName());
            }
        }
        List<String> groups = groupIds.stream().filter(id -> id != null).toList();
        for (List<String> part : partition(groups)) {
            for (Object[] row : em(session).createQuery(
                    "select g.id, g.name from GroupEntity g where g.id in :ids and g.type = :organization",
                    Object[].class)
                    .setParameter("ids", part)
                    .setParameter("organization", GroupModel.Type.ORGANIZATION.intValue())
                    .getResultList()) {
                out.put((String) row[0], "group " + row[1] + " belongs to an organization (use the Organization API)");
            }
        }
        if (!userAdmin) {
            for (String id : groups) {
                GroupModel g = out.containsKey(id) ? null : session.groups().getGroupById(realm, id);
                if (g != null && !auth.groups().canManageMembership(g)) {
                    out.put(id, "not allowed to manage the members of group " + g.getName());
                }
            }
        }
        return out;
    }

    /** Of these role ids, the client roles and the composite roles: one query per 500. */
    private Collection<String> clientOrCompositeRoles(Collection<String> roleIds) {
        List<String> ids = roleIds.stream().filter(id -> id != null).toList();
        Set<String> out = new HashSet<>();
        for (List<String> part : partition(ids)) {
            out.addAll(em(session).createQuery(
                    "select r.id from RoleEntity r where r.id in :ids and (r.clientRole = true or exists "
                            + "(select 1 from CompositeRoleEntity c where c.parentRole.id = r.id))", String.class)
                    .setParameter("ids", part)
                    .getResultList());
        }
        return out;
    }

    /**
     * Whether the caller holds manage-users in a realm without fine-grained admin permissions:
     * then Keycloak's per-object answers are known (see forbiddenGrants).
     */
    private boolean userAdmin() {
        return !realm.isAdminPermissionsEnabled() && auth.hasOneAdminRole(AdminRoles.MANAGE_USERS);
    }

    /**
     * Takes out of {@code todo}, failed with the reason, every item naming a role or group the
     * caller may not grant, take away, join or leave (see forbiddenGrants).
     */
    private void dropForbidden(List<Integer> todo, List<Result> results, IntFunction<List<String>> roleIdsOf,
                               IntFunction<List<String>> groupIdsOf) {
        Set<String> roleIds = new HashSet<>();
        Set<String> groupIds = new HashSet<>();
        for (Integer i : todo) {
            roleIds.addAll(roleIdsOf.apply(i));
            groupIds.addAll(groupIdsOf.apply(i));
        }
        Map<String, String> forbidden = forbiddenGrants(roleIds, groupIds);
        if (forbidden.isEmpty()) {
            return;
        }
        todo.removeIf(i -> {
            List<String> ids = new ArrayList<>(roleIdsOf.apply(i));
            ids.addAll(groupIdsOf.apply(i));
            String reason = ids.stream().map(forbidden::get).filter(x -> x != null).findFirst().orElse(null);
            if (reason != null) {
                fail(results.get(i), reason);
            }
            return reason != null;
        });
    }

    // --- transactions ----------------------------------------------------------------------------

    /**
     * The end of every endpoint: write what passed the request's checks, then one admin event
     * with the counts. Groups and roles are written past the realm cache, so it is cleared
     * after them, also when the request fails after some of its transactions committed.
     */
    private Results write(ResourceType type, String path, List<Integer> todo, Integer requestedChunk, List<Result> results,
                          BiConsumer<KeycloakSession, Integer> write,
                          BiConsumer<KeycloakSession, Integer> writeAlone) {
        return write(type, path, todo, requestedChunk, results, write, writeAlone, () -> { });
    }

    /** As above, with {@code afterWrites} run once the transactions are over, before the event. */
    private Results write(ResourceType type, String path, List<Integer> todo, Integer requestedChunk, List<Result> results,
                          BiConsumer<KeycloakSession, Integer> write,
                          BiConsumer<KeycloakSession, Integer> writeAlone, Runnable afterWrites) {
        try {
            inChunks(todo, chunk(requestedChunk), results, write, writeAlone);
        } finally {
            if (type != ResourceType.USER) {
                clearRealmCacheIfCreated(results);
            }
            afterWrites.run();
        }
        Results out = new Results(results);
        event(type, path, out, results);
        return out;
    }

    /**
     * Writes {@code todo} in transactions of {@code chunk}. A chunk that fails is rolled back and
     * its objects are written one per transaction with {@code writeAlone} (which looks first
     * whether another writer made the object meanwhile), so a bad object fails alone.
     */
    private void inChunks(List<Integer> todo, int chunk, List<Result> results,
                          BiConsumer<KeycloakSession, Integer> write,
                          BiConsumer<KeycloakSession, Integer> writeAlone) {
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
                            writeAlone.accept(s, i);
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

    /**
     * The groups that already sit under the parents this request names, keyed "parent id/name":
     * one query per 500 parents, read from the database (the cache may not hold them).
     */
    private Map<String, String> existingGroups(List<NewGroup> items) {
        Set<String> parents = new HashSet<>();
        for (NewGroup g : items) {
            if (g != null) {
                parents.add(parentKey(g.parentId));
            }
        }
        Map<String, String> out = new HashMap<>();
        for (List<String> part : partition(new ArrayList<>(parents))) {
            for (Object[] row : em(session).createQuery(
                    "select g.parentId, g.name, g.id from GroupEntity g where g.realm = :realmId and g.parentId in :parents",
                    Object[].class)
                    .setParameter("realmId", realm.getId())
                    .setParameter("parents", part)
                    .getResultList()) {
                out.put(row[0] + "/" + row[1], (String) row[2]);
            }
        }
        return out;
    }

    /** Keycloak's JPA group store, past the realm cache (which may not hold new groups yet). */
    private static GroupProvider groupStore(KeycloakSession s) {
        GroupProvider jpa = s.getProvider(GroupProvider.class, "jpa");
        return jpa != null ? jpa : s.groups();
    }

    /** How Keycloak's JPA store writes "no parent". */
    private static String parentKey(String parentId) {
        return parentId == null ? GroupEntity.TOP_PARENT_ID : parentId;
    }

    /**
     * The realm's roles by name (or the one named), read from the database: the realm cache may
     * not hold roles this extension wrote past it.
     */
    private Map<String, String> realmRoleIds(EntityManager em, String name) {
        String jpql = "select r.name, r.id from RoleEntity r where r.realmId = :realmId and r.clientRole = false"
                + (name == null ? "" : " and r.name = :name");
        var query = em.createQuery(jpql, Object[].class).setParameter("realmId", realm.getId());
        if (name != null) {
            query.setParameter("name", name);
        }
        Map<String, String> out = new HashMap<>();
        for (Object[] row : query.getResultList()) {
            out.put((String) row[0], (String) row[1]);
        }
        return out;
    }

    /**
     * Groups and roles are written past Keycloak's realm cache (see createGroup), so after any
     * was committed the cache is dropped once, on every node, as the admin console's "Clear
     * realm cache" does; the next reads reload it. Also when the request itself failed half-way.
     */
    private void clearRealmCacheIfCreated(List<Result> results) {
        CacheRealmProvider cache = session.getProvider(CacheRealmProvider.class);
        if (cache != null && results.stream().anyMatch(x -> "CREATED".equals(x.action))) {
            cache.clear();
        }
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

    /** Every non-null value of every attribute, as (name, value): one attribute row each. */
    private static void eachValue(Map<String, List<String>> attributes, BiConsumer<String, String> row) {
        if (attributes == null) {
            return;
        }
        attributes.forEach((name, values) -> nullSafe(values).stream().filter(v -> v != null)
                .forEach(v -> row.accept(name, v)));
    }

    private static <T> List<T> nullSafe(List<T> values) {
        return values == null ? List.of() : values;
    }

    private static void skip(Result r, String id, String why) {
        r.id = id;
        r.action = "SKIPPED";
        r.error = why;
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

    /** One admin event per request: what was asked and how it went, without the people's data
     * (account changes name the accounts' ids). */
    private void event(ResourceType type, String path, Results out, List<Result> results) {
        Map<String, Object> summary = new LinkedHashMap<>();
        boolean updates = "user-updates".equals(path);
        if (updates) {
            // Which accounts changed (ids only), so the admin events still say who was disabled.
            summary.put("updated", out.updated);
            summary.put("ids", results.stream().filter(x -> "UPDATED".equals(x.action)).map(x -> x.id).toList());
            // Which of them this request disabled (an update that keeps an account disabled is not one).
            summary.put("disabled", results.stream().filter(x -> "UPDATED".equals(x.action) && x.disabled)
                    .map(x -> x.id).toList());
            summary.put("loggedOut", results.stream().filter(x -> Boolean.TRUE.equals(x.loggedOut)).map(x -> x.id)
                    .toList());
        } else {
            summary.put("created", out.created);
            summary.put("skipped", out.skipped);
        }
        summary.put("failed", out.failed);
        adminEvent.operation(updates ? OperationType.UPDATE : OperationType.CREATE)
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

package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kefu/appliance"
)

type customerRow struct {
	ID          int64 `gorm:"primaryKey"`
	DisplayName string
	VIPLevel    int `gorm:"column:vip_level"`
	Tags        string
	Attributes  string
	MergedInto  int64
	ErasedAt    *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (customerRow) TableName() string { return "customers" }

type identityRow struct {
	ID         int64 `gorm:"primaryKey"`
	CustomerID int64
	Kind       string
	Namespace  string
	Value      string
	ValueHash  *string // see identityHashes; NULL on rows written before it existed
	Verified   bool
	CreatedAt  time.Time
}

func (identityRow) TableName() string { return "identities" }

func (r *customerRow) domain() *appliance.Customer {
	c := &appliance.Customer{ID: r.ID, DisplayName: r.DisplayName, VIPLevel: r.VIPLevel, MergedInto: r.MergedInto,
		ErasedAt: utcPtr(r.ErasedAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Tags: []string{}, Attributes: map[string]string{}}
	_ = json.Unmarshal([]byte(r.Tags), &c.Tags)
	_ = json.Unmarshal([]byte(r.Attributes), &c.Attributes)
	return c
}

// identity reads an identity row; its value (an openid, an app's user id,
// a phone number) is encrypted at rest.
func (s *Store) identity(r *identityRow) *appliance.Identity {
	return &appliance.Identity{ID: r.ID, CustomerID: r.CustomerID, Kind: appliance.IdentityKind(r.Kind),
		Namespace: r.Namespace, Value: s.decrypt(r.Value), Verified: r.Verified, CreatedAt: r.CreatedAt.UTC()}
}

// identityRow makes the row to write: the value encrypted, and its lookup
// hash under the current key.
func (s *Store) identityRow(customerID int64, id appliance.Identity, at time.Time) identityRow {
	h := s.identityHashes(string(id.Kind), id.Namespace, id.Value)[0]
	return identityRow{CustomerID: customerID, Kind: string(id.Kind), Namespace: id.Namespace, Value: s.encrypt(id.Value),
		ValueHash: &h, Verified: id.Verified, CreatedAt: at}
}

// identityHashes returns the hashes an identity is looked up by, the one to
// store first: HMAC-SHA-256 of kind, namespace and value under the at-rest
// key and, after a rotation, under each previous key, so an encrypted value
// (random nonce) is still found, and the column says nothing without the key.
// Without a key the value is stored in clear anyway and the hash is plain
// SHA-256.
func (s *Store) identityHashes(kind, namespace, value string) []string {
	key := kind + "\x00" + namespace + "\x00" + value
	if d, ok := s.sealer.(interface {
		Digests(purpose, value string) []string
	}); ok {
		return d.Digests("identity lookup", key)
	}
	sum := sha256.Sum256([]byte(key))
	return []string{base64.RawURLEncoding.EncodeToString(sum[:])}
}

// findIdentity looks an identity up by its hashes, then among the rows
// written before identities had one (value in clear, no hash).
func (s *Store) findIdentity(ctx context.Context, kind, namespace, value string) (*identityRow, error) {
	var row identityRow
	err := s.conn(ctx).Where("value_hash IN ?", s.identityHashes(kind, namespace, value)).Take(&row).Error
	if err == gorm.ErrRecordNotFound {
		err = s.conn(ctx).Where("kind = ? AND namespace = ? AND value = ? AND value_hash IS NULL", kind, namespace, value).Take(&row).Error
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}

// customer decrypts a row read from the database into a customer: the
// display name and attributes (name, phone, what business systems say) are
// encrypted at rest.
func (s *Store) customer(r *customerRow) *appliance.Customer {
	r.DisplayName, r.Attributes = s.decrypt(r.DisplayName), s.decrypt(r.Attributes)
	return r.domain()
}

// customerRow makes the row to write, name and attributes encrypted.
func (s *Store) customerRow(c *appliance.Customer) *customerRow {
	r := customerToRow(c)
	r.DisplayName, r.Attributes = s.encrypt(r.DisplayName), s.encrypt(r.Attributes)
	return r
}

func customerToRow(c *appliance.Customer) *customerRow {
	tags, _ := json.Marshal(nonNil(c.Tags))
	attrs := c.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	a, _ := json.Marshal(attrs)
	return &customerRow{ID: c.ID, DisplayName: c.DisplayName, VIPLevel: c.VIPLevel, Tags: string(tags),
		Attributes: string(a), MergedInto: c.MergedInto, ErasedAt: c.ErasedAt, CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ResolveIdentity implements appliance.CustomerStore.
func (s *Store) ResolveIdentity(ctx context.Context, id appliance.Identity, displayName string) (*appliance.Customer, *appliance.Identity, error) {
	for attempt := 0; attempt < 3; attempt++ {
		row, err := s.findIdentity(ctx, string(id.Kind), id.Namespace, id.Value)
		if err == nil {
			cust, err := s.Customer(ctx, row.CustomerID)
			if err != nil {
				return nil, nil, err
			}
			return cust, s.identity(row), nil
		}
		if err != gorm.ErrRecordNotFound {
			return nil, nil, fmt.Errorf("store: unable to look up identity: %w", err)
		}
		now := time.Now().UTC()
		cust := &appliance.Customer{DisplayName: displayName, CreatedAt: now, UpdatedAt: now}
		crow := s.customerRow(cust)
		irow := s.identityRow(0, id, now)
		err = s.WithTx(ctx, func(ctx context.Context) error {
			if err := s.conn(ctx).Create(crow).Error; err != nil {
				return err
			}
			irow.CustomerID = crow.ID
			return s.conn(ctx).Create(&irow).Error
		})
		if isDuplicate(err) {
			continue // created concurrently: read the winner
		}
		if err != nil {
			return nil, nil, fmt.Errorf("store: unable to create customer: %w", err)
		}
		return s.customer(crow), s.identity(&irow), nil
	}
	return nil, nil, fmt.Errorf("store: unable to resolve identity %s:%s after retries", id.Kind, id.Value)
}

// Customer implements appliance.CustomerStore. A merged customer resolves to
// the record it was merged into.
func (s *Store) Customer(ctx context.Context, id int64) (*appliance.Customer, error) {
	for hops := 0; hops < 8; hops++ {
		var row customerRow
		if err := s.conn(ctx).Take(&row, id).Error; err != nil {
			return nil, notFound("customer", err)
		}
		if row.MergedInto == 0 {
			c := s.customer(&row)
			ids, err := s.Identities(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			c.Identities = ids
			return c, nil
		}
		id = row.MergedInto
	}
	return nil, fmt.Errorf("store: customer %d: merge chain too long", id)
}

// Customers returns the customers with the given ids, by the id asked for
// (a merged record's survivor under the merged id), identities included, in
// two queries whatever their number: what a list of conversations needs.
// Ids that name no customer are left out.
func (s *Store) Customers(ctx context.Context, ids []int64) (map[int64]*appliance.Customer, error) {
	out := make(map[int64]*appliance.Customer, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []customerRow
	if err := s.conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list customers: %w", err)
	}
	live := make([]int64, 0, len(rows))
	byID := make(map[int64]*appliance.Customer, len(rows))
	var merged []int64
	for i := range rows {
		if rows[i].MergedInto != 0 {
			merged = append(merged, rows[i].ID)
			continue
		}
		c := s.customer(&rows[i])
		byID[c.ID] = c
		live = append(live, c.ID)
	}
	var idents []identityRow
	if err := s.conn(ctx).Where("customer_id IN ?", live).Order("id").Find(&idents).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list identities: %w", err)
	}
	for i := range idents {
		if c := byID[idents[i].CustomerID]; c != nil {
			c.Identities = append(c.Identities, *s.identity(&idents[i]))
		}
	}
	for id, c := range byID {
		if c.Identities == nil {
			c.Identities = []appliance.Identity{}
		}
		out[id] = c
	}
	// A merged record is rare: follow it to its survivor one by one.
	for _, id := range merged {
		c, err := s.Customer(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, nil
}

// Identities returns a customer's identities.
func (s *Store) Identities(ctx context.Context, customerID int64) ([]appliance.Identity, error) {
	var rows []identityRow
	if err := s.conn(ctx).Where("customer_id = ?", customerID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list identities: %w", err)
	}
	out := make([]appliance.Identity, len(rows))
	for i := range rows {
		out[i] = *s.identity(&rows[i])
	}
	return out, nil
}

// Identity implements appliance.CustomerStore.
func (s *Store) Identity(ctx context.Context, id int64) (*appliance.Identity, error) {
	var row identityRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("identity", err)
	}
	return s.identity(&row), nil
}

// FindIdentity returns an existing identity without creating anything.
func (s *Store) FindIdentity(ctx context.Context, kind appliance.IdentityKind, namespace, value string) (*appliance.Identity, error) {
	row, err := s.findIdentity(ctx, string(kind), namespace, value)
	if err != nil {
		return nil, notFound("identity", err)
	}
	return s.identity(row), nil
}

// UpdateCustomer saves a customer's editable fields.
func (s *Store) UpdateCustomer(ctx context.Context, c *appliance.Customer) error {
	c.UpdatedAt = time.Now().UTC()
	row := s.customerRow(c)
	res := s.conn(ctx).Model(&customerRow{ID: c.ID}).Select("display_name", "vip_level", "tags", "attributes", "merged_into", "updated_at").Updates(row)
	if res.Error != nil {
		return fmt.Errorf("store: unable to update customer: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "customer_not_found", "customer not found")
	}
	return nil
}

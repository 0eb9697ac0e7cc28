package store

import (
	"context"
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
	Verified   bool
	CreatedAt  time.Time
}

func (identityRow) TableName() string { return "identities" }

func (r *customerRow) domain() *appliance.Customer {
	c := &appliance.Customer{ID: r.ID, DisplayName: r.DisplayName, VIPLevel: r.VIPLevel, MergedInto: r.MergedInto,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Tags: []string{}, Attributes: map[string]string{}}
	_ = json.Unmarshal([]byte(r.Tags), &c.Tags)
	_ = json.Unmarshal([]byte(r.Attributes), &c.Attributes)
	return c
}

func (r *identityRow) domain() *appliance.Identity {
	return &appliance.Identity{ID: r.ID, CustomerID: r.CustomerID, Kind: appliance.IdentityKind(r.Kind),
		Namespace: r.Namespace, Value: r.Value, Verified: r.Verified, CreatedAt: r.CreatedAt.UTC()}
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
		Attributes: string(a), MergedInto: c.MergedInto, CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
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
		var row identityRow
		err := s.conn(ctx).Where("kind = ? AND namespace = ? AND value = ?", string(id.Kind), id.Namespace, id.Value).Take(&row).Error
		if err == nil {
			cust, err := s.Customer(ctx, row.CustomerID)
			if err != nil {
				return nil, nil, err
			}
			return cust, row.domain(), nil
		}
		if err != gorm.ErrRecordNotFound {
			return nil, nil, fmt.Errorf("store: unable to look up identity: %w", err)
		}
		now := time.Now().UTC()
		cust := &appliance.Customer{DisplayName: displayName, CreatedAt: now, UpdatedAt: now}
		crow := s.customerRow(cust)
		irow := identityRow{Kind: string(id.Kind), Namespace: id.Namespace, Value: id.Value, Verified: id.Verified, CreatedAt: now}
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
		return s.customer(crow), irow.domain(), nil
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
			c.Identities = append(c.Identities, *idents[i].domain())
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
		out[i] = *rows[i].domain()
	}
	return out, nil
}

// Identity implements appliance.CustomerStore.
func (s *Store) Identity(ctx context.Context, id int64) (*appliance.Identity, error) {
	var row identityRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("identity", err)
	}
	return row.domain(), nil
}

// FindIdentity returns an existing identity without creating anything.
func (s *Store) FindIdentity(ctx context.Context, kind appliance.IdentityKind, namespace, value string) (*appliance.Identity, error) {
	var row identityRow
	if err := s.conn(ctx).Where("kind = ? AND namespace = ? AND value = ?", string(kind), namespace, value).Take(&row).Error; err != nil {
		return nil, notFound("identity", err)
	}
	return row.domain(), nil
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
